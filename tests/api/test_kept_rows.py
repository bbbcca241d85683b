"""Pages reuse the model rows they read while the facet index snapshot stays the same,
and show a harvest's changes once the index has taken them in."""

from __future__ import annotations

import time

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from catalog.queries.facet_index import read_version
from catalog.queries.index_cache import FacetIndexCache
from tests.api.conftest import execute
from tests.factories import load, record, with_lineage

PAGE = """
{ models(first: 5, sort: [NAME]) { edges { node {
    ref name license formats { slug } tasks { slug } baseModels { parentRef }
} } } }
"""


def _reads_rows(statement: str) -> bool:
    """Model rows or list attributes (not the version check, which names the tables)."""
    return "FROM models JOIN platforms" in statement or "json_agg" in statement


def _records(license_: str = "mit", first_format: str = "gguf") -> list:
    return [
        record(
            f"org/m{i}",
            tasks=["text-generation"],
            formats=[first_format if i == 0 else "gguf"],
            license=license_,
        )
        for i in range(5)
    ]


def test_rows_are_read_once_per_snapshot_and_again_after_a_harvest(fresh_engine) -> None:
    with Session(fresh_engine) as session:
        load(session, _records())
        session.commit()
    cache = FacetIndexCache(fresh_engine)  # background mode: the served API's
    cache.build_now()
    statements: list[str] = []
    event.listen(fresh_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def page() -> list[dict]:
        statements.clear()
        with Session(fresh_engine) as session:
            result = execute(session, PAGE, index_cache=cache)
        assert result.errors is None, result.errors
        return [edge["node"] for edge in result.data["models"]["edges"]]

    first = page()
    assert [n["license"] for n in first] == ["mit"] * 5
    assert any("json_agg" in s for s in statements)  # rows and lists read from SQL
    assert page() == first
    # Same snapshot: neither rows nor list attributes (lineage included) are read.
    assert [s for s in statements if _reads_rows(s)] == []

    with Session(fresh_engine) as session:
        load(session, _records("apache-2.0", first_format="onnx"))
        session.commit()
    assert page() == first  # the index has not moved on yet: one consistent snapshot
    cache.build_now()  # the watcher's patch, as a served API does within seconds
    after = page()
    assert [n["license"] for n in after] == ["apache-2.0"] * 5
    assert after[0]["formats"] == [{"slug": "onnx"}]


def test_a_model_page_by_ref_is_read_once_per_snapshot(fresh_engine) -> None:
    with Session(fresh_engine) as session:
        load(session, _records())
        session.commit()
    cache = FacetIndexCache(fresh_engine)
    cache.build_now()
    statements: list[str] = []
    event.listen(fresh_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def license_of(ref: str) -> str | None:
        statements.clear()
        with Session(fresh_engine) as session:
            query = f'{{ model(ref: "{ref}") {{ license formats {{ slug }} }} }}'
            result = execute(session, query, index_cache=cache)
        assert result.errors is None, result.errors
        return result.data["model"] and result.data["model"]["license"]

    assert license_of("huggingface:org/m1") == "mit"
    assert any(_reads_rows(s) for s in statements)
    assert license_of("huggingface:org/m1") == "mit"
    assert not any(_reads_rows(s) for s in statements)
    assert license_of("huggingface:org/none") is None
    with Session(fresh_engine) as session:
        load(session, _records("apache-2.0"))
        session.commit()
    cache.build_now()
    assert license_of("huggingface:org/m1") == "apache-2.0"


def test_a_lineage_change_alone_reaches_kept_pages(fresh_engine) -> None:
    cache = _built(fresh_engine, with_lineage(_records(), [(1, 0, "finetune")]))
    query = '{ model(ref: "huggingface:org/m1") { baseModels { relation } } }'

    def relations() -> list[str]:
        with Session(fresh_engine) as session:
            result = execute(session, query, index_cache=cache)
        assert result.errors is None, result.errors
        return [b["relation"] for b in result.data["model"]["baseModels"]]

    assert relations() == ["finetune"]
    # No model row changes: lineage alone.
    _write_alone(fresh_engine, "UPDATE model_lineage SET relation = 'quantized'")
    # The fingerprint moved, so a served API's watcher patches the index (build_now here).
    assert relations() == ["finetune"]  # kept until the index moves on
    cache.build_now()
    assert relations() == ["quantized"]


def _built(engine, records: list) -> FacetIndexCache:  # noqa: ANN001
    """`records` loaded, and an index built in background mode (the served API's)."""
    with Session(engine) as session:
        load(session, records)
        session.commit()
    cache = FacetIndexCache(engine)
    cache.build_now()
    return cache


def _write_alone(engine, statement: str) -> None:  # noqa: ANN001
    """Run a write that names no model in the change log, and wait for the fingerprint
    to move (table statistics reach it within a second or so)."""
    before = _settled_version(engine)  # the load's statistics arrive late too
    with engine.begin() as conn:
        conn.execute(text(statement))
    deadline = time.monotonic() + 10
    while _version(engine) == before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _version(engine) != before


def _version(engine) -> tuple:  # noqa: ANN001
    with engine.connect() as conn:
        return read_version(conn)


def _settled_version(engine) -> tuple:  # noqa: ANN001
    """The fingerprint once it held still for 1.5 s (at most 15 s)."""
    version, since, deadline = _version(engine), time.monotonic(), time.monotonic() + 15
    while time.monotonic() - since < 1.5 and time.monotonic() < deadline:
        time.sleep(0.1)
        now = _version(engine)
        if now != version:
            version, since = now, time.monotonic()
    return version


def test_derivatives_are_read_once_per_snapshot_and_again_after_a_harvest(fresh_engine) -> None:
    cache = _built(fresh_engine, with_lineage(_records(), [(1, 0, "finetune")]))
    query = '{ model(ref: "huggingface:org/m0") { derivatives(first: 5) { totalCount } } }'
    statements: list[str] = []
    event.listen(fresh_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def derivatives() -> int:
        statements.clear()
        with Session(fresh_engine) as session:
            result = execute(session, query, index_cache=cache)
        assert result.errors is None, result.errors
        return result.data["model"]["derivatives"]["totalCount"]

    def reads_lineage() -> bool:  # not the version check, which names the table too
        return any("model_lineage" in s and "pg_stat" not in s for s in statements)

    assert derivatives() == 1
    assert reads_lineage()
    assert derivatives() == 1
    assert not reads_lineage()  # same snapshot: kept
    with Session(fresh_engine) as session:
        load(session, with_lineage(_records(), [(1, 0, "finetune"), (2, 0, "quantized")]))
        session.commit()
    cache.build_now()
    assert derivatives() == 2


def test_popularity_history_is_kept_and_a_new_observation_alone_reaches_pages(
    fresh_engine,
) -> None:
    cache = _built(fresh_engine, _records())
    query = '{ model(ref: "huggingface:org/m1") { metrics { downloads } } }'

    def history() -> list[int | None]:
        with Session(fresh_engine) as session:
            result = execute(session, query, index_cache=cache)
        assert result.errors is None, result.errors
        return [point["downloads"] for point in result.data["model"]["metrics"]]

    first = history()
    _write_alone(  # a metrics row alone, in a partition
        fresh_engine,
        "INSERT INTO model_metrics (model_id, observed_at, downloads) "
        "SELECT id, now() + interval '1 day', 424242 FROM models WHERE name = 'm1'",
    )
    assert history() == first  # kept until the index moves on
    cache.build_now()
    assert history() == [*first, 424242]


def test_a_comparison_asked_again_reads_nothing_until_the_index_moves_on(fresh_engine) -> None:
    cache = _built(fresh_engine, _records())
    refs = '["huggingface:org/m0", "huggingface:org/m1", "huggingface:org/m2"]'
    query = f"{{ compare(refs: {refs}) {{ models {{ ref }} rows {{ attribute values }} }} }}"
    statements: list[str] = []
    event.listen(fresh_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

    def table() -> dict[str, list]:
        statements.clear()
        with Session(fresh_engine) as session:
            result = execute(session, query, index_cache=cache)
        assert result.errors is None, result.errors
        return {row["attribute"]: row["values"] for row in result.data["compare"]["rows"]}

    first = table()
    assert first["license"] == ["mit"] * 3
    assert any("pg_stat" not in s for s in statements)
    assert table() == first
    assert [s for s in statements if "pg_stat" not in s] == []  # refs, rows, details, derived
    with Session(fresh_engine) as session:
        load(session, _records("apache-2.0"))
        session.commit()
    cache.build_now()
    assert table()["license"] == ["apache-2.0"] * 3
