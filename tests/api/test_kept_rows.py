"""Pages reuse the model rows they read while the facet index snapshot stays the same,
and show a harvest's changes once the index has taken them in."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from catalog.queries.index_cache import FacetIndexCache
from tests.api.conftest import execute
from tests.factories import load, record

PAGE = """
{ models(first: 5, sort: [NAME]) { edges { node {
    ref name license formats { slug } tasks { slug } baseModels { parentRef }
} } } }
"""


def _reads_rows(statement: str) -> bool:
    """Model rows, or list attributes other than lineage (not the version check)."""
    lists = "json_agg" in statement and "model_formats" in statement
    return "FROM models JOIN platforms" in statement or lists


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
    # Same snapshot: only the lineage (not in the index's change fingerprint) is read.
    assert [s for s in statements if _reads_rows(s)] == []
    assert any("model_lineage" in s for s in statements)

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
