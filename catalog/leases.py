"""Who may harvest a platform: its advisory lock, and the lease that fences every write.

The advisory lock keeps a second run of a platform from starting, but it lives on one
connection: when that backend ends (`pg_terminate_backend`, a network cut, a failover)
PostgreSQL releases the lock while the run's process goes on. So a run also takes the
platform's lease, a `harvest_leases` row whose token every new run bumps, and each
transaction of a run begins by locking that row and checking that the token is still
its own and that its lock connection still holds the lock. A run that lost either
stops before it writes again, and a successor's bump waits for the transaction the old
run has open: two runs of one platform never write at the same time.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Integer,
    Text,
    cast,
    column,
    event,
    exists,
    func,
    literal,
    select,
    table,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import OID, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, SessionTransaction

from catalog.errors import CatalogError
from catalog.models import HarvestLease, Platform

RUN_LOCK_NAMESPACE = 0x6D63  # first key of the two-int advisory lock: "mc"

_PG_LOCKS = table(
    "pg_locks",
    column("locktype", Text),
    column("database", OID),
    column("classid", OID),
    column("objid", OID),
    column("objsubid", Integer),
    column("pid", Integer),
    column("granted", Boolean),
)
_PG_DATABASE = table("pg_database", column("oid", OID), column("datname", Text))


class LeaseLostError(CatalogError):
    """The run no longer owns its platform: it must stop before writing again."""


@dataclass(frozen=True, slots=True)
class Lease:
    """A run's claim on a platform: the fencing token it took."""

    platform: str
    platform_id: int
    token: int


def run_lock_key(platform: str) -> int:
    """Second key of the advisory lock that lets one run per platform proceed."""
    return zlib.crc32(platform.encode()) & 0x7FFFFFFF


def try_lock_platform(conn: Connection, platform: str) -> bool:
    """Take the platform's run lock on `conn` (session-level) if nobody holds it."""
    return bool(
        conn.scalar(
            text("SELECT pg_try_advisory_lock(:ns, :key)"),
            {"ns": RUN_LOCK_NAMESPACE, "key": run_lock_key(platform)},
        )
    )


def unlock_platform(conn: Connection, platform: str) -> bool:
    """Release the platform's run lock held by `conn` and end its transaction.

    Returns:
        False when the connection had already died, which released the lock with it
        (the connection is then discarded, not returned to the pool); never raises.
    """
    try:
        conn.execute(
            text("SELECT pg_advisory_unlock(:ns, :key)"),
            {"ns": RUN_LOCK_NAMESPACE, "key": run_lock_key(platform)},
        )
        conn.commit()
    except DBAPIError:
        conn.invalidate()
        return False
    return True


def lock_held(holder_pid: Any, lock_key: Any) -> ColumnElement[bool]:
    """SQL: whether backend `holder_pid` holds the run lock with second key `lock_key`."""
    this_database = (
        select(_PG_DATABASE.c.oid)
        .where(_PG_DATABASE.c.datname == func.current_database())
        .scalar_subquery()
    )
    return exists().where(
        _PG_LOCKS.c.locktype == "advisory",
        _PG_LOCKS.c.granted,
        _PG_LOCKS.c.pid == holder_pid,
        _PG_LOCKS.c.database == this_database,
        _PG_LOCKS.c.classid == cast(literal(RUN_LOCK_NAMESPACE), OID),
        _PG_LOCKS.c.objid == cast(lock_key, OID),
        _PG_LOCKS.c.objsubid == 2,  # the two-int form of the key
    )


def run_is_live(platform_id: Any, run_id: Any) -> ColumnElement[bool]:
    """SQL: whether run `run_id` holds its platform's lease and its lock is still held.

    A `running` run for which this is false ended without recording how (its process
    was killed, or its lock connection died); status reads show it as interrupted.
    """
    return exists().where(
        HarvestLease.platform_id == platform_id,
        HarvestLease.run_id == run_id,
        lock_held(HarvestLease.holder_pid, HarvestLease.lock_key),
    )


def take_lease(conn: Connection, platform: str) -> Lease:
    """Take the platform's lease for the connection holding its lock; commits.

    Bumping the token fences out any earlier holder. The bump waits for a transaction
    such a holder still has open, so no write of the old run lands after it.
    """
    platform_id = conn.scalar(select(Platform.id).where(Platform.slug == platform))
    if platform_id is None:
        raise CatalogError(f"unknown platform {platform!r} in the catalog database")
    stmt = insert(HarvestLease).values(
        platform_id=platform_id,
        token=1,
        run_id=None,
        holder_pid=func.pg_backend_pid(),
        lock_key=run_lock_key(platform),
        acquired_at=func.now(),
    )
    token = conn.scalar(
        stmt.on_conflict_do_update(
            index_elements=[HarvestLease.platform_id],
            set_={
                "token": HarvestLease.token + 1,
                "run_id": None,
                "holder_pid": stmt.excluded.holder_pid,
                "lock_key": stmt.excluded.lock_key,
                "acquired_at": stmt.excluded.acquired_at,
            },
        ).returning(HarvestLease.token)
    )
    conn.commit()
    return Lease(platform, int(platform_id), int(token or 0))


def claim_run(session: Session, lease: Lease, run_id: int) -> None:
    """Name the run that holds the lease (in the transaction that opens the run)."""
    session.execute(
        update(HarvestLease)
        .where(HarvestLease.platform_id == lease.platform_id, HarvestLease.token == lease.token)
        .values(run_id=run_id)
    )


def fence(session: Session, lease: Lease) -> None:
    """Make every transaction of `session` prove the lease before its first statement.

    The check locks the lease row until the transaction ends, so a new run's bump
    waits for it. Raises `LeaseLostError` (from the statement that began the
    transaction) when the token moved or the lock is gone.
    """

    def check(_session: Session, transaction: SessionTransaction, conn: Connection) -> None:
        if not transaction.nested:  # a savepoint lives inside an already fenced transaction
            verify(conn, lease)

    event.listen(session, "after_begin", check)


def verify(conn: Connection, lease: Lease) -> None:
    """Lock the lease row and check that `lease` still owns the platform.

    Raises:
        LeaseLostError: another run took the lease, or the lock connection died.
    """
    row = conn.execute(
        select(HarvestLease.token, lock_held(HarvestLease.holder_pid, HarvestLease.lock_key))
        .where(HarvestLease.platform_id == lease.platform_id)
        .with_for_update(of=HarvestLease)
    ).one_or_none()
    if row is None or row[0] != lease.token:
        raise LeaseLostError(
            f"another run of {lease.platform} took over (this one had lost its lock): "
            "stopped after the last committed page, which the other run resumes from"
        )
    if not row[1]:
        raise LeaseLostError(
            "lost its run lock (the database connection holding it ended): stopped after "
            "the last committed page; the next run resumes there"
        )
