"""The bulk COPY path of `benchmarks.generate_catalog` writes what the real loader writes.

Both paths run on the same generated models (same seed) in databases of their own; every
table the loader fills is compared row by row by value (vocabulary ids are assigned in
another order), and GraphQL answers the same on both. Model ids differ too (the loader
numbers models in its batches' order, one platform per batch; the bulk path in the
generator's order), so models tied on every sort key may come in another order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import URL, create_engine, text
from sqlalchemy.orm import Session

from api.context import Context
from api.schema import schema
from benchmarks.generate_catalog import generate, generate_bulk
from tests import pg

MODELS = 6500  # past the generator's 5,000-model window of recent parents
BATCH = 1000

REF = "p.slug || ':' || m.external_id"
MODEL_JOINS = "FROM models m JOIN platforms p ON p.id = m.platform_id"
# One query per table the loader writes, rows identified by values, never by ids.
TABLES = {
    "models": f"""
        SELECT {REF}, m.name, a.slug, a.display_name, m.url, m.summary, m.description,
               lic.slug, lib.slug, m.parameters, m.downloads, m.downloads_all_time, m.likes,
               m.trending_score, m.created_at, m.last_modified, m.gated, m.nsfw, m.keywords,
               m.extra, m.first_seen_at, m.removed_at, m.search_document::text,
               m.provenance_set_id
        {MODEL_JOINS} LEFT JOIN authors a ON a.id = m.author_id
        LEFT JOIN licenses lic ON lic.id = m.license_id
        LEFT JOIN libraries lib ON lib.id = m.library_id""",
    "model_sightings": f"""SELECT {REF}, s.last_seen_at, s.last_seen_run_id
        {MODEL_JOINS} JOIN model_sightings s ON s.model_id = m.id""",
    "model_metrics": f"""SELECT {REF}, x.observed_at, x.downloads, x.likes
        {MODEL_JOINS} JOIN model_metrics x ON x.model_id = m.id""",
    "model_tags": f"""SELECT {REF}, v.name
        {MODEL_JOINS} JOIN model_tags a ON a.model_id = m.id JOIN tags v ON v.id = a.tag_id""",
    "model_languages": f"""SELECT {REF}, v.code {MODEL_JOINS}
        JOIN model_languages a ON a.model_id = m.id JOIN languages v ON v.id = a.language_id""",
    "model_datasets": f"""SELECT {REF}, v.slug {MODEL_JOINS}
        JOIN model_datasets a ON a.model_id = m.id JOIN datasets v ON v.id = a.dataset_id""",
    "model_tasks": f"""SELECT {REF}, v.slug {MODEL_JOINS}
        JOIN model_tasks a ON a.model_id = m.id JOIN tasks v ON v.id = a.task_id""",
    "model_modalities": f"""SELECT {REF}, v.slug {MODEL_JOINS}
        JOIN model_modalities a ON a.model_id = m.id JOIN modalities v ON v.id = a.modality_id""",
    "model_formats": f"""SELECT {REF}, v.slug, a.variants, a.file_count, a.total_bytes
        {MODEL_JOINS} JOIN model_formats a ON a.model_id = m.id
        JOIN formats v ON v.id = a.format_id""",
    "model_lineage": f"""SELECT {REF}, pp.slug || ':' || pm.external_id, lp.slug,
               l.parent_external_id, l.relation
        {MODEL_JOINS} JOIN model_lineage l ON l.child_id = m.id
        JOIN platforms lp ON lp.id = l.parent_platform_id
        LEFT JOIN models pm ON pm.id = l.parent_id
        LEFT JOIN platforms pp ON pp.id = pm.platform_id""",
    "model_derivations": f"""SELECT {REF}, d.feature_extraction, d.fine_tuning, d.zero_shot,
               d.memory_bytes, c.slug, d.effective_licenses, d.license_conflict,
               d.commercial_use, d.evidence
        {MODEL_JOINS} JOIN model_derivations d ON d.model_id = m.id
        LEFT JOIN license_classes c ON c.id = d.license_class_id""",
    "model_usages": f"""SELECT {REF}, u.slug {MODEL_JOINS}
        JOIN model_usages a ON a.model_id = m.id JOIN usages u ON u.id = a.usage_id""",
    "authors": "SELECT p.slug, a.slug, a.display_name FROM authors a "
    "JOIN platforms p ON p.id = a.platform_id",
    "tags": "SELECT name FROM tags",
    "datasets": "SELECT slug FROM datasets",
    "languages": "SELECT code FROM languages",
    "libraries": "SELECT slug, name FROM libraries",
    "licenses": "SELECT l.slug, l.spdx_id, l.name, l.url, c.slug FROM licenses l "
    "LEFT JOIN license_classes c ON c.id = l.license_class_id",
}
SEARCH = """
query($search: String, $filter: ModelFilter) {
  models(search: $search, filter: $filter, first: 10) {
    totalCount
    edges { node { ref name downloads } }
    facets(fields: [PLATFORM, TASK, FORMAT, LICENSE]) { field buckets { value count } }
  }
}
"""
DETAIL = """
query($ref: String!) {
  model(ref: $ref) {
    ref name author license library parameters downloads likes tags languages datasets
    tasks { slug } formats { slug variants totalBytes }
    baseModels { relation parentRef parent { ref } }
    derivatives(first: 5) { totalCount edges { node { ref } } }
  }
}
"""


@pytest.fixture(scope="module")
def catalogs(server_url: URL, template_db: str) -> Iterator[tuple[str, str]]:
    """The same synthetic catalog written by the loader and by the bulk path."""
    names = (pg.unique_name("catalog_loader"), pg.unique_name("catalog_bulk"))
    urls = [
        pg.create_database(server_url, name, template=template_db).render_as_string(
            hide_password=False
        )
        for name in names
    ]
    try:
        generate(urls[0], MODELS, BATCH, seed=7)
        generate_bulk(urls[1], MODELS, seed=7, chunk=BATCH, loader_batch=BATCH)
        yield urls[0], urls[1]
    finally:
        for name in names:
            pg.drop_database(server_url, name)


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return sorted(tuple(map(repr, row)) for row in conn.execute(text(sql)))
    finally:
        engine.dispose()


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_table_holds_the_rows_the_loader_writes(
    catalogs: tuple[str, str], table: str
) -> None:
    loaded, bulk = (_rows(url, TABLES[table]) for url in catalogs)
    assert loaded, f"the loader wrote no {table}"
    assert bulk == loaded


def _graphql(url: str, query: str, variables: dict[str, Any]) -> Any:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            context = Context(session=session, index_cache=None, request_id="bulk-test")
            result = asyncio.run(
                schema.execute(query, variable_values=variables, context_value=context)
            )
            assert result.errors is None, result.errors
            return result.data
    finally:
        engine.dispose()


def _page(models: dict[str, Any]) -> list[str]:
    """The refs of a result page, in an order ties between ids cannot change."""
    return sorted(edge["node"]["ref"] for edge in models["edges"])


def test_graphql_answers_the_same_on_both_catalogs(catalogs: tuple[str, str]) -> None:
    searches: list[dict[str, Any]] = [
        {"search": "bert", "filter": None},
        {"search": "llama instruct", "filter": {"formats": ["gguf", "safetensors"]}},
        {"search": None, "filter": {"tasks": ["text-generation"], "licenses": ["mit"]}},
    ]
    for variables in searches:
        loaded, bulk = (_graphql(url, SEARCH, variables)["models"] for url in catalogs)
        assert bulk["totalCount"] > 0
        assert (bulk["totalCount"], bulk["facets"]) == (loaded["totalCount"], loaded["facets"])
        assert _page(bulk) == _page(loaded)
    with_lineage = _rows(
        catalogs[1],
        f"SELECT {REF} {MODEL_JOINS} WHERE EXISTS "
        "(SELECT 1 FROM model_lineage l WHERE l.child_id = m.id) ORDER BY m.id LIMIT 3",
    )
    for (ref,) in with_lineage:
        variables = {"ref": ref.strip("'")}
        loaded, bulk = (_graphql(url, DETAIL, variables) for url in catalogs)
        assert bulk == loaded
        assert bulk["model"]["baseModels"][0]["parent"] is not None
