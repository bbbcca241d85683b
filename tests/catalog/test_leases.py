"""Run leases: a new holder waits for the old one's open transaction, then fences it out."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from catalog import leases
from catalog.leases import Lease, LeaseLostError


def _take(engine: Engine, taken: list[Lease]) -> None:
    with engine.connect() as conn:
        assert leases.try_lock_platform(conn, "huggingface")
        conn.commit()
        taken.append(leases.take_lease(conn, "huggingface"))
        assert leases.unlock_platform(conn, "huggingface")


def _waiting_on_a_lock(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(
            conn.scalar(
                text(
                    "select count(*) from pg_stat_activity where datname = current_database() "
                    "and wait_event_type = 'Lock'"
                )
            )
        )


def test_a_new_lease_waits_for_the_old_runs_open_transaction_then_fences_it_out(
    fresh_engine: Engine,
) -> None:
    old_lock = fresh_engine.connect()
    assert leases.try_lock_platform(old_lock, "huggingface")
    old_lock.commit()
    old = leases.take_lease(old_lock, "huggingface")
    old_pid = old_lock.scalar(text("select pg_backend_pid()"))
    old_lock.commit()
    session = Session(fresh_engine)
    leases.fence(session, old)
    session.execute(text("select 1"))  # the old run is inside a (fenced) transaction
    with fresh_engine.connect() as admin:  # its lock connection dies
        admin.execute(text("select pg_terminate_backend(:p, 10000)"), {"p": old_pid})
    old_lock.invalidate()
    old_lock.close()

    taken: list[Lease] = []
    newcomer = threading.Thread(target=_take, args=(fresh_engine, taken))
    newcomer.start()
    deadline = time.monotonic() + 30
    while not _waiting_on_a_lock(fresh_engine):
        assert time.monotonic() < deadline, "the new lease never waited"
        time.sleep(0.01)
    assert not taken  # it waits while the old run's transaction may still write

    session.commit()
    newcomer.join(30)
    assert [lease.token for lease in taken] == [old.token + 1]
    with pytest.raises(LeaseLostError, match="another run of huggingface took over"):
        session.execute(text("select 1"))
    session.close()
