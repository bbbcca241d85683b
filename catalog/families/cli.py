"""`catalog families`: rebuild every assignment, or explain one model's family."""

from __future__ import annotations

import dataclasses
import json

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.orm import Session

from catalog.database import get_engine
from catalog.errors import CatalogError

app = typer.Typer(
    help="Model families: rebuild the assignments, explain a model's family.",
    no_args_is_help=True,
)


@app.command()
def rebuild(
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Sync the family tree from the vocabulary and reassign every model (one transaction)."""
    from catalog.families.recompute import current_vocabulary, rebuild_families

    vocab = current_vocabulary()
    console = Console(stderr=True, quiet=as_json)
    with (
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[info]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar,
        Session(get_engine()) as session,
    ):
        task = bar.add_task("families", total=None, info="")

        def show(stage: str, done: int, total: int) -> None:
            info = f"{done:,} of {total:,} model ids"
            bar.update(task, description=stage, completed=done, total=total, info=info)

        summary = rebuild_families(session, vocab, progress=show)
        session.commit()
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(summary)))
        return
    Console().print(
        f"{summary.assigned:,} of {summary.models:,} models have a family "
        f"({summary.changed:,} changed) in {summary.families:,} families; "
        f"{summary.seconds:.1f}s\n"
        + ", ".join(f"{method}: {count:,}" for method, count in sorted(summary.by_method.items()))
    )


@app.command()
def explain(ref: str = typer.Argument(..., help="A model as <platform>:<externalId>.")) -> None:
    """Show a model's family and every piece of evidence the matcher found."""
    from catalog.families.explain import explain_ref

    with Session(get_engine()) as session:
        lines = explain_ref(session, ref)
    if lines is None:
        raise CatalogError(f"unknown model {ref!r} (write it as <platform>:<externalId>)")
    for line in lines:
        typer.echo(line)


def register(parent: typer.Typer) -> None:
    """Add the `families` command group to the `catalog` CLI."""
    parent.add_typer(app, name="families")
