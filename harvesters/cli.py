"""`catalog harvest`: run harvesters with a progress bar and a summary."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from catalog import migrate
from catalog.cli import db
from catalog.cli.console import console as make_console
from catalog.database import get_engine
from catalog.settings import get_settings
from harvesters.base import config_error
from harvesters.registry import HubPluginError, slugs, write_platform_rows
from harvesters.report import HarvestReport
from harvesters.runner import HarvestLockedError, RunOptions, RunResult, run_harvest

ALL = "all"


def harvest(
    platform: str = typer.Argument(
        ..., metavar="PLATFORM", help=f"Platform slug or 'all': {', '.join(slugs())}"
    ),
    full: bool = typer.Option(False, "--full", help="Full sweep (with deletion detection)."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Stop after N models."),
    since: dt.datetime | None = typer.Option(
        None, "--since", help="Incremental: models changed since DATE (UTC)."
    ),
    batch_size: int = typer.Option(1000, "--batch-size", min=1, help="Models per transaction."),
    as_json: bool = typer.Option(False, "--json", help="Print results as JSON."),
) -> None:
    """Harvest one platform (or all of them) into the catalog."""
    known = slugs()
    if platform != ALL and platform not in known:
        raise typer.BadParameter(
            f"unknown platform {platform!r}; choose from {', '.join([*known, ALL])}",
            param_hint="PLATFORM",
        )
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    migrate.require_current_schema(get_engine())
    options = RunOptions(full=full, limit=limit, since=since, batch_size=batch_size)
    platforms = known if platform == ALL else [platform]
    results = [_run_one(p, options, quiet=as_json) for p in platforms]
    if as_json:
        typer.echo(json.dumps([_as_dict(r) for r in results], indent=2))
    else:
        _summary(results)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def _run_one(platform: str, options: RunOptions, *, quiet: bool) -> RunResult:
    settings = get_settings()
    engine = get_engine()
    console = Console(stderr=True, quiet=quiet)
    started = time.monotonic()
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.fields[info]}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(platform, total=None, info="starting")

        def show(report: HarvestReport) -> None:
            rate = report.seen / max(time.monotonic() - started, 1e-6)
            bar.update(
                task,
                info=f"{report.pages} pages, {report.seen:,} models "
                f"({rate:,.0f}/s), {report.quarantined} quarantined",
            )

        try:
            return run_harvest(
                platform, engine=engine, settings=settings, options=options, progress=show
            )
        except HarvestLockedError as exc:
            return RunResult(platform, None, "full", "skipped", {}, str(exc))
        except HubPluginError as exc:
            return RunResult(platform, None, "full", "failed", {}, str(exc))
        except ValidationError as exc:
            return RunResult(platform, None, "full", "failed", {}, config_error(platform, exc))


def _as_dict(result: RunResult) -> dict[str, Any]:
    return {
        "platform": result.platform,
        "run_id": result.run_id,
        "kind": result.kind,
        "status": result.status,
        "counts": result.counts,
        "error": result.error,
        "unmapped": result.details.get("unmapped", {}),
        "warnings": result.details.get("warnings", []),
    }


def _summary(results: list[RunResult]) -> None:
    console = make_console()
    columns = ("seen", "new", "changed", "unchanged", "quarantined", "removed", "unmapped")
    table = Table("platform", "run", "kind", "status", *columns, title="harvest summary")
    for r in results:
        style = "green" if r.ok else "red"
        table.add_row(
            r.platform,
            str(r.run_id or "-"),
            r.kind,
            f"[{style}]{r.status}[/]",
            *(f"{r.counts.get(c, 0):,}" for c in columns),
        )
    console.print(table)
    for r in results:
        if r.error:
            console.print(f"[red]{r.platform}[/]: {r.error}")
        for warning in r.details.get("warnings", [])[:5]:
            console.print(f"[yellow]{r.platform}[/]: {warning}")


def register(app: typer.Typer) -> None:
    """Add the `harvest` command to the `catalog` CLI; `catalog db upgrade` then also
    writes the platform row of every registered hub."""
    app.command("harvest")(harvest)
    if write_platform_rows not in db.AFTER_UPGRADE:
        db.AFTER_UPGRADE.append(write_platform_rows)
