"""Run Alembic programmatically against an engine (the CLI and tests use this)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import migrations
from catalog.database import describe
from catalog.errors import CatalogError
from catalog.seed import seed_vocabularies


class SchemaNotCurrentError(CatalogError):
    """The database's schema is not the one this code was written for."""

    exit_code = 2


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Leave the monthly partitions of model_metrics out of schema comparison: data, not schema."""
    if name and name.startswith("model_metrics_") and type_ in {"table", "index"}:
        return not reflected
    return True


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config pointing at the shipped migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(Path(migrations.__file__).parent))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


def _run(engine: Engine, fn: str, *args: object) -> None:
    cfg = alembic_config(engine)
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        getattr(command, fn)(cfg, *args)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the schema to `revision`; at the newest, refresh the canonical vocabularies.

    Migrations are frozen history: values added to `catalog.vocab` since reach the
    database through this idempotent seed, not through a migration that runs live code.
    """
    _run(engine, "upgrade", revision)
    if revision == "head":
        with engine.begin() as conn:
            seed_vocabularies(conn)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the schema to `revision`."""
    _run(engine, "downgrade", revision)


def current(engine: Engine) -> str | None:
    """The revision the database is at (None on an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head() -> str | None:
    """The newest revision shipped with this code."""
    return _script_revisions()[0]


@lru_cache(maxsize=1)
def _script_revisions() -> tuple[str | None, frozenset[str]]:
    script = ScriptDirectory.from_config(alembic_config())
    return script.get_current_head(), frozenset(r.revision for r in script.walk_revisions())


def require_current_schema(engine: Engine) -> None:
    """Refuse to go on unless the database's schema is this code's newest revision.

    Raises:
        SchemaNotCurrentError: the database has no catalog schema, an older one, or one
            newer than this code knows (the message says what to run).
    """
    found = current(engine)
    newest, known = _script_revisions()
    if found == newest:
        return
    where = describe(engine.url)
    if found is not None and found not in known:
        raise SchemaNotCurrentError(
            f"the database at {where} has schema revision {found}, newer than this version "
            f"of model-catalog knows (its newest is {newest}): upgrade model-catalog"
        )
    raise SchemaNotCurrentError(
        f"the database at {where} has no catalog schema (or an older one): run `catalog db upgrade`"
    )
