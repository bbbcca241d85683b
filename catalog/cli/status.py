"""`catalog status`: where the database is, models per platform, last runs."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.table import Table

from catalog import migrate
from catalog.cli.console import console as make_console
from catalog.database import describe, get_engine, session_scope
from catalog.queries.status import PlatformStatus, RunSummary, platform_status, recent_runs
from catalog.settings import get_settings


def status(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    runs: int = typer.Option(10, "--runs", min=0, help="How many recent runs to list."),
) -> None:
    """Show where the catalog is, how many models each platform has, and the last runs."""
    engine = get_engine()
    migrate.require_current_schema(engine)
    revision = migrate.current(engine)
    with session_scope(engine) as session:
        rows = platform_status(session)
        latest = recent_runs(session, runs)
    embedded = get_settings().database_url is None
    doc = {
        "database": describe(engine.url),
        "embedded": embedded,
        "schema_revision": revision,
        "platforms": [_as_dict(row) for row in rows],
        "recent_runs": [{"platform": slug, **_run_dict(run)} for slug, run in latest],
    }
    if as_json:
        typer.echo(json.dumps(doc, indent=2, default=str))
        return
    _print(doc, rows, latest)


def _as_dict(row: PlatformStatus) -> dict[str, Any]:
    run = row.last_run
    return {
        "platform": row.slug,
        "name": row.name,
        "models": row.models,
        "removed": row.removed,
        "last_run": None if run is None else _run_dict(run),
    }


def _run_dict(run: RunSummary) -> dict[str, Any]:
    return {
        "id": run.id,
        "kind": run.kind,
        "status": run.status,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "counts": run.counts,
        "error": run.error_summary,
    }


def _counts(run: RunSummary | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in (run.counts if run else {}).items() if v)


def _print(
    doc: dict[str, Any], rows: list[PlatformStatus], latest: list[tuple[str, RunSummary]]
) -> None:
    console = make_console()
    where = "embedded" if doc["embedded"] else "DATABASE_URL"
    # Soft wrap: a terminal folds the line itself, so the URL stays whole when copied.
    console.print(
        f"database ({where}): {doc['database']}  schema {doc['schema_revision']}", soft_wrap=True
    )
    table = Table("platform", "models", "removed", "last run", "status", "counts")
    for row in rows:
        run = row.last_run
        counts = _counts(run)
        table.add_row(
            row.slug,
            f"{row.models:,}",
            f"{row.removed:,}",
            f"{run.kind} {run.started_at:%Y-%m-%d %H:%M}" if run else "never",
            run.status if run else "",
            counts,
        )
    console.print(table)
    if latest:
        history = Table(
            "run", "platform", "kind", "started", "status", "counts", title="recent runs"
        )
        for slug, run in latest:
            history.add_row(
                str(run.id),
                slug,
                run.kind,
                f"{run.started_at:%Y-%m-%d %H:%M:%S}",
                run.status,
                _counts(run) or (run.error_summary or ""),
            )
        console.print(history)
    total = sum(r.models for r in rows)
    if total == 0:
        console.print("the catalog is empty: run `catalog harvest all` to fill it")
