"""The embedded PostgreSQL used when `DATABASE_URL` is unset (the `pgserver` package)."""

from __future__ import annotations

import logging
import sys
import warnings
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import ModuleType
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


def log_file(home: Path) -> Path:
    """Where pgserver's account of starting the server (initdb, pg_ctl) goes."""
    return home / "embedded-postgres.log"


def _import_pgserver(home: Path) -> ModuleType:
    """Import pgserver with its start-up chatter sent to a file under `home`.

    pgserver logs every initdb and pg_ctl run in full at INFO, which would flood the
    output of `catalog up` (it logs at INFO); on import it asks platformdirs for a
    runtime directory, which warns on every command where XDG_RUNTIME_DIR is unset (most
    containers) although the fallback under /tmp serves it well.
    """
    chatter = logging.getLogger("pgserver")
    if not chatter.handlers:
        home.mkdir(parents=True, exist_ok=True)
        # Every command that starts or joins the server appends a few KB: keep two 1 MB files.
        handler = RotatingFileHandler(
            log_file(home), maxBytes=1_000_000, backupCount=1, encoding="utf-8", delay=True
        )
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        chatter.addHandler(handler)
        chatter.setLevel(logging.INFO)
        chatter.propagate = False
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver
    return pgserver


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
        server = _start(home, keep_running=keep_running)
        _servers[pgdata] = server
    uri: str = server.get_uri()
    return uri.replace("postgresql://", "postgresql+psycopg://", 1)


def _start(home: Path, *, keep_running: bool) -> Any:
    pgdata = data_dir(home)
    try:
        pgserver = _import_pgserver(home)
    except ImportError as exc:
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        raise DatabaseConfigError(NO_PGSERVER.format(version=version)) from exc
    pgdata.mkdir(parents=True, exist_ok=True)
    log.debug("starting embedded PostgreSQL in %s (log: %s)", pgdata, log_file(home))
    try:
        return pgserver.get_server(pgdata, cleanup_mode=None if keep_running else "stop")
    except Exception as exc:  # pgserver raises plain exceptions with the pg_ctl output
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DatabaseConfigError(
            f"the embedded PostgreSQL in {pgdata} (DATABASE_URL unset) did not start: "
            f"{first_line} (details in {log_file(home)})"
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

    pgserver = _import_pgserver(home)
    # pgserver runs the server as its own system user when we are root.
    user = "pgserver" if os.name == "posix" and os.geteuid() == 0 else None
    # pg_ctl is generated at import time (one function per bundled executable).
    pgserver.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
    _servers.pop(pgdata, None)
    return True
