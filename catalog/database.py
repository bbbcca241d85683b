"""Engine and session factories over `DATABASE_URL` or the embedded server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from catalog.embedded import embedded_url
from catalog.errors import DatabaseConfigError
from catalog.settings import Settings, get_settings

POSTGRES_SCHEMES = ("postgres", "postgresql")


def normalize_url(raw: str) -> URL:
    """Parse a PostgreSQL URL and pin the psycopg 3 driver.

    Raises:
        DatabaseConfigError: the URL is malformed or not PostgreSQL.
    """
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseConfigError(
            # The value is not echoed: where a password starts in a malformed URL is unknowable.
            "DATABASE_URL is not a valid URL: expected postgresql://user:password@host:port/dbname"
        ) from exc
    backend, _, _driver = url.drivername.partition("+")
    if backend not in POSTGRES_SCHEMES:
        raise DatabaseConfigError(
            f"DATABASE_URL must be a PostgreSQL URL, got scheme {url.drivername!r} "
            f"({url.render_as_string(hide_password=True)})"
        )
    return url.set(drivername="postgresql+psycopg")


def resolve_url(settings: Settings | None = None) -> URL:
    """The database URL in effect: `DATABASE_URL`, else the embedded server's."""
    settings = settings or get_settings()
    if settings.database_url is not None:
        return normalize_url(settings.database_url.get_secret_value())
    return make_url(embedded_url(settings.catalog_home))


def describe(url: URL) -> str:
    """A printable location for a URL (password hidden)."""
    return url.render_as_string(hide_password=True)


def make_engine(url: URL, **kwargs: object) -> Engine:
    """Create an engine and prove it can connect.

    Raises:
        DatabaseConfigError: the server cannot be reached or refuses the login.
    """
    try:
        engine = create_engine(url, **{"pool_pre_ping": True, **kwargs})
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise DatabaseConfigError(f"DATABASE_URL is not usable ({describe(url)}): {exc}") from exc
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except DBAPIError as exc:
        engine.dispose()
        cause = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if _is_missing_database(exc, url):
            raise DatabaseConfigError(_missing_database_message(url)) from exc
        raise DatabaseConfigError(
            f"DATABASE_URL ({describe(url)}) is unreachable: {cause}"
        ) from exc
    return engine


# SQLSTATE invalid_catalog_name; psycopg leaves it unset on connection errors, where the
# server's message is all there is.
MISSING_DATABASE = "3D000"


def _is_missing_database(exc: DBAPIError, url: URL) -> bool:
    if getattr(exc.orig, "sqlstate", None) == MISSING_DATABASE:
        return True
    return f'database "{url.database}" does not exist' in str(exc.orig)


def _missing_database_message(url: URL) -> str:
    """Say which database is missing and the command that creates it."""
    options = [
        f"-h {url.host}" if url.host else "",
        f"-p {url.port}" if url.port else "",
        f"-U {url.username}" if url.username else "",
    ]
    createdb = " ".join(["createdb", *filter(None, options), str(url.database)])
    return (
        f"DATABASE_URL ({describe(url)}): database {url.database!r} does not exist on the "
        f"server; create it (e.g. `{createdb}`), then run `catalog db upgrade`"
    )


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(resolve_url())


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    """A session factory bound to `engine` (default: the process-wide engine)."""
    return sessionmaker(bind=engine or get_engine(), expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
