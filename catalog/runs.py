"""Harvest run bookkeeping: runs, cursors, quarantine, deletion sweeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from catalog.loader.sql import columns, execute, json_text
from catalog.models import HarvestCursor, HarvestRun, Platform


def platform_id(session: Session, slug: str) -> int:
    """Id of a platform slug."""
    return session.scalars(select(Platform.id).where(Platform.slug == slug)).one()


def open_run(session: Session, platform_id: int, kind: str, started_at: dt.datetime) -> int:
    """Insert a `running` run row and return its id."""
    run = HarvestRun(platform_id=platform_id, kind=kind, status="running", started_at=started_at)
    session.add(run)
    session.flush()
    return run.id


def save_run(session: Session, run_id: int, **values: Any) -> None:
    """Update columns of a run row (counts, checkpoint, status, report, ...)."""
    session.execute(update(HarvestRun).where(HarvestRun.id == run_id).values(**values))


def close_stale_runs(session: Session, platform_id: int, now: dt.datetime) -> int:
    """Mark `running` rows of a platform as interrupted (their process died).

    Only called by a run that holds the platform's lease, so no live run is affected:
    an older run that still believes it runs stops at its next transaction.
    """
    result = session.execute(
        update(HarvestRun)
        .where(HarvestRun.platform_id == platform_id, HarvestRun.status == "running")
        .values(
            status="interrupted",
            finished_at=now,
            error_summary="the process ended before the run finished",
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def get_cursor(session: Session, platform_id: int, scope: str) -> dict[str, Any] | None:
    """The stored cursor of a platform and scope (`full`, `incremental`), if any."""
    return session.scalars(
        select(HarvestCursor.value).where(
            HarvestCursor.platform_id == platform_id, HarvestCursor.scope == scope
        )
    ).one_or_none()


def save_cursor(
    session: Session,
    platform_id: int,
    scope: str,
    value: Mapping[str, Any],
    *,
    run_id: int,
    now: dt.datetime,
) -> None:
    """Insert or replace a cursor (in the caller's transaction, with its batch)."""
    stmt = insert(HarvestCursor).values(
        platform_id=platform_id, scope=scope, value=dict(value), run_id=run_id, updated_at=now
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["platform_id", "scope"],
            set_={"value": stmt.excluded.value, "run_id": run_id, "updated_at": now},
        )
    )


def quarantine(
    session: Session,
    run_id: int,
    platform_id: int,
    items: Sequence[tuple[str | None, Any, str]],
) -> None:
    """Keep bad records with their payload and the reason (one statement)."""
    if not items:
        return
    ids, payloads, reasons = columns(
        [(ext, json_text(payload), reason[:2000]) for ext, payload, reason in items], 3
    )
    execute(
        session,
        "INSERT INTO quarantine (run_id, platform_id, external_id, payload, reason) "
        "SELECT :r, :p, e, j::jsonb, why FROM unnest(CAST(:e AS text[]), CAST(:j AS text[]), "
        "CAST(:w AS text[])) AS t(e, j, why)",
        {"r": run_id, "p": platform_id, "e": ids, "j": payloads, "w": reasons},
    )


# The kind of the run row a demo load records (`harvesters.demo`): not a harvest, so
# schedules and cursors ignore it, and the models only it has seen are placeholders.
DEMO_KIND = "demo"
_DEMO_ONLY = (
    " AND NOT EXISTS (SELECT 1 FROM model_sightings d JOIN harvest_runs r "
    "ON r.id = d.last_seen_run_id WHERE d.model_id = m.id AND r.kind = :demo)"
)


def _harvested_only(session: Session, platform_id: int) -> str:
    """SQL condition on `models m`: not a model only a demo load has seen (empty when
    the platform never had a demo load, so a catalog without one pays nothing)."""
    has_demo = execute(
        session,
        "SELECT EXISTS (SELECT 1 FROM harvest_runs WHERE platform_id = :p AND kind = :demo)",
        {"p": platform_id, "demo": DEMO_KIND},
    ).scalar()
    return _DEMO_ONLY if has_demo else ""


def count_live(session: Session, platform_id: int) -> int:
    """Models of a platform that are not soft-deleted, leaving out those only a demo
    load has seen (placeholders a full sweep removes without the fail-safe)."""
    return int(
        execute(
            session,
            "SELECT count(*) FROM models m WHERE m.platform_id = :p AND m.removed_at IS NULL"
            + _harvested_only(session, platform_id),
            {"p": platform_id, "demo": DEMO_KIND},
        ).scalar()
    )


def count_unseen(session: Session, platform_id: int, since: dt.datetime) -> int:
    """Live models of a platform not seen since `since` (the start of a sweep), leaving
    out those only a demo load has seen."""
    return int(
        execute(
            session,
            "SELECT count(*) FROM models m LEFT JOIN model_sightings s ON s.model_id = m.id "
            "WHERE m.platform_id = :p AND m.removed_at IS NULL "
            "AND coalesce(s.last_seen_at, '-infinity') < :since"
            + _harvested_only(session, platform_id),
            {"p": platform_id, "since": since, "demo": DEMO_KIND},
        ).scalar()
    )


def mark_unseen_removed(
    session: Session, platform_id: int, since: dt.datetime, now: dt.datetime
) -> int:
    """Soft-delete live models of a platform not seen since `since`; returns how many."""
    result = execute(
        session,
        "UPDATE models m SET removed_at = :now WHERE m.platform_id = :p "
        "AND m.removed_at IS NULL AND NOT EXISTS (SELECT 1 FROM model_sightings s "
        "WHERE s.model_id = m.id AND s.last_seen_at >= :since)",
        {"p": platform_id, "since": since, "now": now},
    )
    return int(result.rowcount or 0)


def ensure_metric_partition(session: Session, when: dt.datetime) -> None:
    """Create the monthly partition of model_metrics holding `when`, if missing.

    When the default partition already holds rows of that month PostgreSQL refuses the
    new partition; those months then stay in the default partition, which is correct,
    just not pruned.
    """
    start = dt.datetime(when.year, when.month, 1, tzinfo=dt.UTC)
    end = dt.datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=dt.UTC)
    name = f"model_metrics_y{start.year}m{start.month:02d}"
    exists = execute(session, "SELECT to_regclass(:n)", {"n": name}).scalar()
    if exists:
        return
    try:
        with session.begin_nested():
            execute(
                session,
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF model_metrics "
                f"FOR VALUES FROM ('{start.isoformat()}') TO ('{end.isoformat()}')",
                {},
            )
    except Exception:  # noqa: BLE001 - rows of that month already sit in the default partition
        return


# Tables a harvest writes. Their statistics must keep up with a bulk load: with stale
# ones (autovacuum lags behind, or is off) PostgreSQL plans a batch's
# `model_id = ANY(...)` as a scan of the whole table, and a sweep turns quadratic.
HARVESTED_TABLES = (
    "models",
    "raw_records",
    "model_sightings",
    "model_tags",
    "model_tasks",
    "model_modalities",
    "model_formats",
    "model_languages",
    "model_datasets",
    "model_versions",
    "model_lineage",
    "model_metrics",
    "authors",
    "tags",
)


def count_models(session: Session) -> int:
    """Models in the catalog, every platform, removed ones included."""
    return int(execute(session, "SELECT count(*) FROM models", {}).scalar())


def analyze_harvested_tables(session: Session) -> None:
    """Refresh the planner statistics of every table a harvest writes."""
    execute(session, "ANALYZE " + ", ".join(HARVESTED_TABLES), {})


def prune_index_changes(session: Session) -> int:
    """Forget change-log rows (migration 0009) older than a day: a search index that old
    is rebuilt, not patched (`catalog.queries.index_delta`)."""
    return int(
        execute(
            session, "DELETE FROM index_changes WHERE logged_at < now() - interval '1 day'", {}
        ).rowcount
    )
