"""The embedded PostgreSQL used when `DATABASE_URL` is unset (the `pgserver` package)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from catalog.errors import DatabaseConfigError

log = logging.getLogger(__name__)

NO_PGSERVER = (
    "DATABASE_URL is not set and the embedded PostgreSQL (pgserver) is not available on "
    "Python {version}; set DATABASE_URL to a PostgreSQL URL."
)

# One handle per process: pgserver reference-counts the processes that use a data
# directory and stops the server when the last one exits ("stop" cleanup mode), so later
# commands reuse the same data and a crashed command never leaves a stale lock behind.
_servers: dict[Path, Any] = {}


def data_dir(home: Path) -> Path:
    """Where the embedded server keeps its data under `CATALOG_HOME`."""
    return home / "pgdata"


def embedded_url(home: Path, *, keep_running: bool = False) -> str:
    """Start (or join) the embedded server under `home` and return its SQLAlchemy URL.

    Args:
        home: The `CATALOG_HOME` directory.
        keep_running: Leave the server running when this process exits (used by
            long-lived services that hand the server to later commands).

    Raises:
        DatabaseConfigError: pgserver is not installed or the server cannot start.
    """
    pgdata = data_dir(home)
    server = _servers.get(pgdata)
    if server is None:
        server = _start(pgdata, keep_running=keep_running)
        _servers[pgdata] = server
    uri: str = server.get_uri()
    return uri.replace("postgresql://", "postgresql+psycopg://", 1)


def _start(pgdata: Path, *, keep_running: bool) -> Any:
    try:
        import pgserver
    except ImportError as exc:
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        raise DatabaseConfigError(NO_PGSERVER.format(version=version)) from exc
    pgdata.mkdir(parents=True, exist_ok=True)
    log.info("starting embedded PostgreSQL in %s", pgdata)
    try:
        return pgserver.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
    except Exception as exc:  # pgserver raises plain exceptions with the pg_ctl output
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseConfigError(
            f"the embedded PostgreSQL in {pgdata} (DATABASE_URL unset) did not start: {first_line}"
        ) from exc


def stop_embedded(home: Path) -> bool:
    """Stop the embedded server under `home` now, whoever started it.

    Returns:
        Whether a server was running.
    """
    pgdata = data_dir(home)
    if not (pgdata / "postmaster.pid").exists():
        return False
    import os

    import pgserver

    # pgserver runs the server as its own system user when we are root.
    user = "pgserver" if os.name == "posix" and os.geteuid() == 0 else None
    pgserver.pg_ctl(  # type: ignore[attr-defined]  # generated at import time
        ["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user
    )
    _servers.pop(pgdata, None)
    return True
