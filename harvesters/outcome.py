"""How a run ends: its status and one-line summary, recorded with what it committed."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from catalog import runs
from catalog.leases import LeaseLostError
from harvesters.base import HarvestError
from harvesters.report import HarvestReport

log = logging.getLogger(__name__)


def commit(session: Session, report: HarvestReport) -> None:
    """Commit the run's transaction and remember the counts it made true."""
    session.commit()
    report.mark_committed()


def rollback(session: Session) -> None:
    """Roll back, even on a connection that is gone (its transaction went with it)."""
    with contextlib.suppress(DBAPIError):
        session.rollback()


def finish(
    session: Session, run_id: int, report: HarvestReport, status: str, error: str | None
) -> None:
    """Record the outcome in the (fenced) transaction that holds the run's last writes."""
    runs.save_run(
        session,
        run_id,
        status=status,
        error_summary=error,
        counts=report.counts(),
        report=report.details(),
        finished_at=dt.datetime.now(dt.UTC),
    )
    runs.prune_index_changes(session)
    commit(session, report)


def failure(exc: BaseException, platform: str, stop: threading.Event | None) -> tuple[str, str]:
    """The status and one-line summary of a run that ended by `exc`."""
    if isinstance(exc, LeaseLostError):
        return "failed", str(exc)
    if isinstance(exc, HarvestError):
        return ("interrupted" if stop is not None and stop.is_set() else "failed"), str(exc)
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", "interrupted; the next run resumes"
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return "failed", database_failure(exc)
    if isinstance(exc, Exception):
        log.error("harvest of %s failed", platform, exc_info=exc)
        return "failed", f"internal error: {type(exc).__name__}: {first_line(exc)}"
    return "interrupted", f"stopped by {type(exc).__name__}; the next run resumes"


def database_failure(exc: DBAPIError) -> str:
    """One line for a database error: a lost connection says that the next run resumes."""
    cause = first_line(exc.orig if exc.orig is not None else exc)
    if exc.connection_invalidated:
        return (
            f"lost the database connection ({cause}): stopped after the last committed "
            "page; the next run resumes there"
        )
    return f"database error: {cause}"


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type when it has none)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def record(engine: Engine, run_id: int, report: HarvestReport, status: str, error: str) -> None:
    """Record how a run ended, with the counts it committed, on a connection of its own.

    Not fenced: it writes only the run's own row, and a run that lost its lease or its
    connection must still say so. When even that fails, status reads show the run as
    interrupted (its lock is gone).
    """
    try:
        with Session(engine) as session:
            runs.save_run(
                session,
                run_id,
                status=status,
                error_summary=error,
                counts=report.committed,
                report=report.details(),
                finished_at=dt.datetime.now(dt.UTC),
            )
            session.commit()
    except DBAPIError as exc:
        log.warning(
            "could not record the end of run %s (%s); status shows it as interrupted",
            run_id,
            first_line(exc.orig if exc.orig is not None else exc),
        )
