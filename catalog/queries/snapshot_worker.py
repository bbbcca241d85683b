"""A second connection reading in the same snapshot as the first, in a thread.

PostgreSQL runs each connection's query in its own server process: reading two parts of
an index on two connections uses two cores. `pg_export_snapshot` lets the second one
see exactly what the first sees, so the parts fit together.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Engine, text


class SnapshotWorker:
    """Runs one read on a second connection in `conn`'s snapshot, in a thread."""

    @classmethod
    def start(cls, engine: Engine, conn: Connection) -> SnapshotWorker:
        """Export `conn`'s snapshot (a REPEATABLE READ transaction, not in a savepoint)."""
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        return cls(engine, str(snapshot))

    def __init__(self, engine: Engine, snapshot: str) -> None:
        """Prepare to read through `engine` in the exported `snapshot`."""
        self._engine = engine
        self._snapshot = snapshot
        self._thread: threading.Thread | None = None
        self._value: Any = None
        self._error: BaseException | None = None

    def run(self, work: Callable[[Connection], Any]) -> None:
        """Start `work` on the second connection (its value comes from `result`). The
        first connection must stay in its transaction until the work has begun."""
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[Connection], Any]) -> None:
        try:
            repeatable = self._engine.execution_options(isolation_level="REPEATABLE READ")
            with repeatable.connect() as conn, conn.begin():
                conn.execute(text("SET TRANSACTION READ ONLY"))
                conn.execute(text(f"SET TRANSACTION SNAPSHOT '{self._snapshot}'"))
                self._value = work(conn)
        except BaseException as exc:  # noqa: BLE001 - raised again in the caller's thread
            self._error = exc

    def result(self) -> Any:
        """The value of the work started by `run` (its error raised here)."""
        self.finish()
        if self._error is not None:
            raise self._error
        return self._value

    def finish(self) -> None:
        """Wait for the work, if any was started."""
        if self._thread is not None:
            self._thread.join()
