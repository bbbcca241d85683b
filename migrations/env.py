"""Alembic environment: safe timeouts, one migrator at a time, partitions ignored."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from catalog.migrate import include_object
from catalog.models import metadata

# Any number of `catalog db upgrade` (or `catalog up`) processes may start together;
# the advisory lock makes them migrate one after the other.
MIGRATION_LOCK_ID = 0x6D63_0001


def run_migrations(connection: Connection) -> None:
    """Run migrations on `connection` under the migration lock."""
    connection.execute(text("SET lock_timeout = '10s'"))
    connection.execute(text("SET statement_timeout = '10min'"))
    connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
    connection.commit()
    try:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            transaction_per_migration=True,
            compare_server_default=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
        connection.commit()


def run_online() -> None:
    """Migrate the connection handed over by `catalog.migrate`, or the configured DB."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    from catalog.database import make_engine, resolve_url

    engine = make_engine(resolve_url())
    with engine.connect() as conn:
        run_migrations(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run against a database")
run_online()
