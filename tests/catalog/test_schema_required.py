"""Commands that read or write the catalog refuse a database without the current schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL

from catalog import migrate
from catalog.database import describe, normalize_url
from tests import pg
from tests.installed_cli import catalog_env, run_catalog

COMMANDS = [
    ("harvest", "huggingface"),
    ("harvest", "all", "--json"),
    ("status",),
    ("status", "--json"),
    ("scheduler",),
    ("report", "landscape"),
    ("serve", "--port", "1"),  # refused before it binds: port 1 is never reached
]


@pytest.fixture
def empty_db_url(server_url: URL) -> Iterator[URL]:
    name = pg.unique_name("catalog_empty")
    url = pg.create_database(server_url, name)
    yield url
    pg.drop_database(server_url, name)


def _upgrade_line(url: URL) -> str:
    where = describe(normalize_url(url.render_as_string(hide_password=False)))
    return (
        f"error: the database at {where} has no catalog schema (or an older one): "
        "run `catalog db upgrade`"
    )


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_an_unmigrated_database_gets_one_line_saying_to_upgrade(
    empty_db_url: URL, args: tuple[str, ...]
) -> None:
    result = run_catalog(*args, env=catalog_env(empty_db_url), timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert _upgrade_line(empty_db_url) in result.stderr.splitlines()
    with create_engine(empty_db_url).connect() as conn:  # nothing was created behind its back
        assert conn.scalar(text("select to_regclass('platforms')")) is None


def test_an_older_schema_gets_the_same_line(empty_db_url: URL) -> None:
    engine = create_engine(empty_db_url)
    migrate.upgrade(engine, "0002")
    engine.dispose()
    result = run_catalog("harvest", "huggingface", env=catalog_env(empty_db_url), timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert _upgrade_line(empty_db_url) in result.stderr.splitlines()


def test_a_schema_newer_than_the_code_says_to_upgrade_the_code(fresh_db_url: URL) -> None:
    engine = create_engine(fresh_db_url)
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '9999'"))
    engine.dispose()
    result = run_catalog("status", env=catalog_env(fresh_db_url), timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "has schema revision 9999, newer than this version of model-catalog" in result.stderr
    assert "upgrade model-catalog" in result.stderr


def test_a_current_schema_passes_and_the_previous_one_does_not(empty_db_url: URL) -> None:
    engine = create_engine(empty_db_url)
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert migrate.require_current_schema(engine) is None  # returns: commands go on
    newest = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(migrate.head())
    assert newest is not None
    assert isinstance(newest.down_revision, str)
    migrate.downgrade(engine, newest.down_revision)
    with pytest.raises(migrate.SchemaNotCurrentError, match="run `catalog db upgrade`"):
        migrate.require_current_schema(engine)
    engine.dispose()
