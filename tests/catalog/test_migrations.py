"""The schema is built and evolved only through Alembic, with no drift from the models."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL

from catalog import migrate, vocab
from catalog.migrate import include_object
from catalog.models import metadata
from tests import pg


@pytest.fixture
def empty_engine(server_url: URL) -> Iterator[Engine]:
    name = pg.unique_name("catalog_mig")
    engine = create_engine(pg.create_database(server_url, name))
    yield engine
    engine.dispose()
    pg.drop_database(server_url, name)


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_upgrade_downgrade_upgrade_round_trip(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    assert migrate.current(empty_engine) == migrate.head()
    assert {"models", "model_lineage", "model_metrics", "raw_records", "quarantine"} <= _tables(
        empty_engine
    )

    migrate.downgrade(empty_engine, "base")
    assert migrate.current(empty_engine) is None
    assert _tables(empty_engine) == set()

    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        assert conn.scalar(text("select count(*) from platforms")) == 5


def _view(engine: Engine, name: str) -> tuple[list[str], str]:
    with engine.connect() as conn:
        columns = conn.execute(
            text(
                "select column_name from information_schema.columns "
                "where table_schema = 'reporting' and table_name = :name "
                "order by ordinal_position"
            ),
            {"name": name},
        ).scalars()
        definition = conn.scalar(
            text("select pg_get_viewdef(cast(:v as regclass))"), {"v": f"reporting.{name}"}
        )
        return list(columns), definition


def test_families_revision_appends_to_the_derived_view_and_restores_it(
    empty_engine: Engine,
) -> None:
    migrate.upgrade(empty_engine, "0005")
    columns_0005, definition_0005 = _view(empty_engine, "models_flat")
    assert columns_0005[-1] == "commercial_use"

    migrate.upgrade(empty_engine, "0006")
    columns, _ = _view(empty_engine, "models_flat")
    assert columns == [*columns_0005, "family", "family_root"]

    migrate.downgrade(empty_engine, "0005")
    assert _view(empty_engine, "models_flat") == (columns_0005, definition_0005)
    with empty_engine.connect() as conn:
        comment = conn.scalar(text("select obj_description('reporting.models_flat'::regclass)"))
        families = conn.scalar(text("select to_regclass('reporting.family_platform_counts')"))
    assert comment == "model-catalog dashboard view; stable"
    assert families is None


def test_nsfw_revision_appends_to_the_family_view_and_restores_it(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine, "0007")
    columns_0007, definition_0007 = _view(empty_engine, "models_flat")
    assert columns_0007[-2:] == ["family", "family_root"]

    migrate.upgrade(empty_engine, "0008")
    columns, _ = _view(empty_engine, "models_flat")
    assert columns == [*columns_0007, "nsfw"]

    migrate.downgrade(empty_engine, "0007")
    assert _view(empty_engine, "models_flat") == (columns_0007, definition_0007)


def test_models_and_migrations_do_not_drift(shared_engine: Engine) -> None:
    with shared_engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={"compare_server_default": True, "include_object": include_object},
        )
        diff = compare_metadata(ctx, metadata)
    assert diff == []


def test_model_metrics_is_partitioned_by_time(shared_engine: Engine) -> None:
    with shared_engine.connect() as conn:
        strategy = conn.scalar(
            text(
                "select partstrat from pg_partitioned_table p "
                "join pg_class c on c.oid = p.partrelid where c.relname = 'model_metrics'"
            )
        )
        default = conn.scalar(text("select to_regclass('model_metrics_default')"))
    assert strategy == "r"
    assert default == "model_metrics_default"


def test_initial_vocabularies_stay_canonical(empty_engine: Engine) -> None:
    """0001 holds a frozen copy of the vocabularies; slugs are contracts, never dropped."""
    migrate.upgrade(empty_engine, "0002")  # the migrations alone, without the runtime seed
    with empty_engine.connect() as conn:
        seeded = {
            table: set(conn.scalars(text(f"select slug from {table}")))
            for table in ("modalities", "tasks", "formats", "licenses", "libraries")
        }
        platforms = set(conn.scalars(text("select slug from platforms")))
    assert platforms == {"huggingface", "tfhub", "pytorch-hub", "kaggle", "onnx-model-zoo"}
    assert seeded["modalities"] <= set(vocab.MODALITIES)
    assert seeded["tasks"] <= set(vocab.TASK_MODALITY)
    assert seeded["formats"] <= vocab.FORMAT_SLUGS
    assert seeded["licenses"] <= set(vocab.LICENSE_BY_SLUG)
    assert seeded["libraries"] <= set(vocab.LIBRARIES)
    assert len(seeded["tasks"]) > 50


def test_upgrade_adds_vocabulary_values_without_a_migration(
    empty_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(empty_engine)
    monkeypatch.setitem(vocab.LIBRARIES, "new-library", "New Library")
    migrate.upgrade(empty_engine)  # already at head: only the seed has work
    with empty_engine.connect() as conn:
        name = conn.scalar(text("select name from libraries where slug = 'new-library'"))
    assert name == "New Library"
