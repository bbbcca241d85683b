"""`catalog demo`: load the bundled demo snapshot of every hub (offline)."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from catalog import migrate
from catalog.cli.console import console as make_console
from catalog.database import get_engine
from catalog.settings import get_settings
from harvesters.demo.load import LOADED, DemoResult, as_of_text, load_demo


def demo(
    as_json: bool = typer.Option(False, "--json", help="Print results as JSON."),
) -> None:
    """Load the bundled demo snapshot of every hub (real public metadata of some of its
    models; no internet needed). Models the catalog already has are left as they are;
    harvests later update the same models and remove those a hub no longer has."""
    engine = get_engine()
    migrate.require_current_schema(engine)
    results = load_demo(engine, get_settings())
    if as_json:
        typer.echo(json.dumps([_as_dict(r) for r in results], indent=2))
    else:
        _summary(results)
    if any(r.status == "failed" for r in results):
        raise typer.Exit(1)


def _as_dict(result: DemoResult) -> dict[str, Any]:
    return {
        "platform": result.platform,
        "status": result.status,
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "payloads": result.payloads,
        "loaded": result.loaded,
        "already_in_catalog": result.present,
        "quarantined": result.counts.get("quarantined", 0),
        "run_id": result.run_id,
        "error": result.error,
    }


def _summary(results: list[DemoResult]) -> None:
    console = make_console()
    table = Table(
        "platform", "as of", "models", "loaded", "already in catalog", "quarantined", "status",
        title="demo snapshot",
    )  # fmt: skip
    for r in results:
        style = "red" if r.status == "failed" else "green"
        table.add_row(
            r.platform,
            r.as_of.isoformat() if r.as_of else "-",
            f"{r.payloads:,}",
            f"{r.loaded:,}",
            f"{r.present:,}",
            f"{r.counts.get('quarantined', 0):,}",
            f"[{style}]{r.status}[/]",
        )
    console.print(table)
    for r in results:
        if r.error:
            console.print(f"[red]{r.platform}[/]: {r.error}")
    loaded = [r for r in results if r.status == LOADED]
    if not results:
        console.print("no registered hub ships a demo snapshot")
    elif all(r.status == "unchanged" for r in results):
        console.print("nothing loaded: the catalog already has every model of the snapshots")
    if not loaded:
        return
    console.print(
        f"loaded {sum(r.loaded for r in loaded):,} models from {len(loaded)} hubs (public "
        f"metadata {as_of_text(loaded)}); `catalog harvest <platform>` or the scheduler "
        "replaces them with live data",
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add the `demo` command to the `catalog` CLI."""
    app.command("demo")(demo)
