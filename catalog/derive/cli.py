"""`catalog derive`: rebuild the derived layer, and see how much of the catalog it covers."""

from __future__ import annotations

import json
import time

import typer
from rich.console import Console
from rich.table import Table

from catalog import migrate
from catalog.database import get_engine, session_scope
from catalog.derive import refresh, store

app = typer.Typer(
    help="The derived layer: transfer-learning use, memory footprint (weights only), "
    "license classes and effective licenses along lineage.",
    no_args_is_help=True,
)


def _check_schema() -> None:
    migrate.require_current_schema(get_engine())


@app.command()
def rebuild(
    chunk: int = typer.Option(
        refresh.REBUILD_CHUNK, "--chunk", min=1, help="Models per transaction."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Derive every model again (after an upgrade, or when the rules changed).

    Harvests keep the derived layer current by themselves; this walks the whole catalog.
    """
    _check_schema()
    console = Console(stderr=True, quiet=as_json)
    started = time.monotonic()
    with (
        session_scope(get_engine()) as session,
        console.status("deriving ...") as spinner,
    ):
        done = refresh.rebuild(
            session, chunk=chunk, progress=lambda n: spinner.update(f"derived {n:,} models")
        )
    seconds = time.monotonic() - started
    if as_json:
        typer.echo(json.dumps({"models": done, "seconds": round(seconds, 2)}))
    else:
        typer.echo(f"derived {done:,} models in {seconds:.1f}s")


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """How many models are derived, per usage, license class and known memory."""
    _check_schema()
    with session_scope(get_engine()) as session:
        doc = store.summary(session)
    if as_json:
        typer.echo(json.dumps(doc, indent=2))
        return
    console = Console()
    console.print(
        f"{doc['derived']:,} of {doc['models']:,} models derived; "
        f"memory known for {doc['memory_known']:,} (weights only); "
        f"{doc['license_conflicts']:,} license conflicts"
    )
    table = Table("value", "models", title="derived facets")
    for usage, count in doc["usages"].items():
        table.add_row(f"usage: {usage}", f"{count:,}")
    for cls, count in doc["license_classes"].items():
        table.add_row(f"license class: {cls}", f"{count:,}")
    console.print(table)
    if doc["derived"] < doc["models"]:
        console.print("some models are not derived yet: run `catalog derive rebuild`")


def register(root: typer.Typer) -> None:
    """Add `catalog derive` to the `catalog` CLI."""
    root.add_typer(app, name="derive")
