"""Time a fixed set of GraphQL queries against the equivalent hand-written SQL, and the
web explorer's pages.

Each GraphQL query runs in-process through the real schema, with the per-request session
the server uses (read-only, statement timeout), three ways: with the in-memory facet
index (full-text from its text index), with the SQL backend (the index switched off),
and as hand-written SQL. Search hits are not cached between iterations (the cache is
cleared), so text searches pay their full-text matching every time. The explorer's
pages go through the whole app in process (routing, the worker thread and its session,
queries, HTML): server time without the network.

    .venv/bin/python -m benchmarks.generate_catalog --models 1000000 --batch 10000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench_1m --recreate
    .venv/bin/python -m benchmarks.api_bench \\
        --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench_1m
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, text

from api.app import create_app
from api.context import Context, close_request_session, open_request_session, request_engine
from api.schema import schema
from catalog.database import normalize_url
from catalog.queries.index_cache import FacetIndexCache
from catalog.settings import Settings

FACETS = "[PLATFORM, TASK, FORMAT, LICENSE, LIBRARY]"
SEARCH = f"""
query($filter: ModelFilter, $search: String) {{
  models(filter: $filter, search: $search, first: 20) {{
    totalCount
    edges {{ cursor node {{ ref name downloads }} }}
    facets(fields: {FACETS}, limit: 20) {{ field buckets {{ value count }} }}
  }}
}}
"""
DETAIL = """
query($ref: String!) {
  model(ref: $ref) {
    ref name author license library parameters downloads likes createdAt
    platform { slug } tasks { slug } modalities { slug } languages datasets tags
    formats { slug variants fileCount totalBytes }
    baseModels { relation parentRef parent { ref } }
    derivatives(first: 5) { totalCount edges { node { ref } } }
    metrics { observedAt downloads }
  }
}
"""
CORE = """
query($ref: String!) {
  model(ref: $ref) {
    ref name license downloads platform { slug } tasks { slug }
    formats { slug variants } baseModels { relation parentRef parent { ref name } }
  }
}
"""
STATS = "{ stats(rows: FORMAT, columns: PLATFORM) { rows { value count } cells { count } } }"
FILTERS = (
    {
        "formats": ["gguf", "safetensors"],
        "licenses": ["apache-2.0", "mit"],
        "tasks": ["text-generation"],
    },
    {
        "platforms": ["huggingface", "kaggle"],
        "formats": ["onnx", "pytorch"],
        "libraries": ["transformers", "timm"],
    },
    {"licenses": ["mit"], "languages": ["en", "fr"], "minDownloads": 10},
)
TEXTS = ("llama instruct", "bert-base", "whisper", "qwen-7b", "stable-diffusion", "resnet")

# The hand-written equivalent of SEARCH with FILTERS[0] and no text: the total, the
# page, and the five disjunctive facets (each facet drops its own filter) in one
# statement over a CTE that evaluates each filter once per model.
HAND_FACETS = """
WITH f AS (SELECT model_id FROM model_formats
           WHERE format_id IN (SELECT id FROM formats WHERE slug IN ('gguf', 'safetensors'))),
     t AS (SELECT model_id FROM model_tasks
           WHERE task_id IN (SELECT id FROM tasks WHERE slug = 'text-generation')),
     base AS MATERIALIZED (
       SELECT m.id, m.platform_id, m.license_id, m.library_id,
              m.id IN (SELECT model_id FROM f) AS in_f,
              m.license_id IN (SELECT id FROM licenses WHERE slug IN ('apache-2.0', 'mit')) AS in_l,
              m.id IN (SELECT model_id FROM t) AS in_t
       FROM models m WHERE m.removed_at IS NULL)
SELECT 'platform', platform_id, count(*) FROM base WHERE in_f AND in_l AND in_t GROUP BY 2
UNION ALL
SELECT 'library', library_id, count(*) FROM base WHERE in_f AND in_l AND in_t GROUP BY 2
UNION ALL
SELECT 'license', license_id, count(*) FROM base WHERE in_f AND in_t GROUP BY 2
UNION ALL
SELECT 'format', mf.format_id, count(*) FROM base JOIN model_formats mf ON mf.model_id = base.id
WHERE in_l AND in_t GROUP BY 2
UNION ALL
SELECT 'task', mt.task_id, count(*) FROM base JOIN model_tasks mt ON mt.model_id = base.id
WHERE in_f AND in_l GROUP BY 2
"""
_WHERE = """m.removed_at IS NULL
  AND m.id IN (SELECT model_id FROM model_formats WHERE format_id IN
               (SELECT id FROM formats WHERE slug IN ('gguf', 'safetensors')))
  AND m.license_id IN (SELECT id FROM licenses WHERE slug IN ('apache-2.0', 'mit'))
  AND m.id IN (SELECT model_id FROM model_tasks WHERE task_id IN
               (SELECT id FROM tasks WHERE slug = 'text-generation'))"""
HAND_SEARCH = [
    f"SELECT count(*) FROM models m WHERE {_WHERE}",
    f"SELECT m.id FROM models m WHERE {_WHERE} ORDER BY m.downloads DESC NULLS LAST, m.id LIMIT 21",
    HAND_FACETS,
]
HAND_DETAIL = [
    """SELECT m.*, p.slug FROM models m JOIN platforms p ON p.id = m.platform_id
       WHERE p.slug = :platform AND m.external_id = :external_id""",
    """SELECT
     (SELECT json_agg(f.slug) FROM model_formats mf JOIN formats f ON f.id = mf.format_id
      WHERE mf.model_id = :id),
     (SELECT json_agg(t.slug) FROM model_tasks mt JOIN tasks t ON t.id = mt.task_id
      WHERE mt.model_id = :id),
     (SELECT json_agg(l.parent_external_id) FROM model_lineage l WHERE l.child_id = :id),
     (SELECT count(*) FROM model_lineage l WHERE l.parent_id = :id),
     (SELECT json_agg(observed_at) FROM model_metrics WHERE model_id = :id)""",
]


# The explorer's search page with three filters; the page computes its eight sidebar
# facets (platform, task, modality, format, library, license, language, parameters).
PAGE_FILTERS = (
    "formats=gguf&formats=safetensors&licenses=apache-2.0&licenses=mit&tasks=text-generation",
    "platforms=huggingface&platforms=kaggle&formats=onnx&formats=pytorch"
    "&libraries=transformers&libraries=timm",
    "licenses=mit&languages=en&languages=fr&params=100m-1b",
)

LOOP = asyncio.new_event_loop()  # one loop, as in the server


class Pages:
    """The web explorer's pages served through the real app (routing, the API worker
    process with its session and its facet index, the queries and the HTML), called in
    process without a socket: the server's time.

    The worker keeps its own search-hit cache, which the benchmark cannot clear: a page
    with a text search repeats one of a few texts, so most are answered from that cache.
    """

    def __init__(self, engine: Engine) -> None:
        # Without the worker's result cache: pages repeat a few filters, whose answers it
        # would keep (the timings are of computing them).
        settings = Settings(api_result_cache_size=0)
        app = create_app(settings, engine, facet_index=True, workers=1)
        self.executor = app.state.catalog.executor
        self.executor.start()
        started = time.perf_counter()
        while self.executor.index_state() != "ready":  # the worker builds or maps it
            time.sleep(0.5)
        self.ready_after = time.perf_counter() - started
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x")

    def get(self, path: str) -> None:
        """Fetch a page; it must answer 200."""
        response = LOOP.run_until_complete(self.client.get(path))
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code}: {response.text[:300]}")

    def close(self) -> None:
        """Stop the worker process."""
        self.executor.shutdown()


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def run_graphql(
    engine: Engine, cache: FacetIndexCache | None, query: str, variables: dict[str, Any]
) -> None:
    session = open_request_session(engine, statement_timeout_ms=30_000)
    try:
        ctx = Context(session=session, index_cache=cache)
        result = LOOP.run_until_complete(
            schema.execute(query, variable_values=variables, context_value=ctx)
        )
        if result.errors:
            raise RuntimeError(result.errors)
    finally:
        close_request_session(session)


def run_sql(engine: Engine, statements: list[str], params: dict[str, Any]) -> None:
    with engine.connect() as conn:
        for stmt in statements:
            conn.execute(text(stmt), params).all()


def timed(fn: Callable[[int], None], iterations: int, warmup: int = 3) -> tuple[float, float]:
    """p50/p95 of `fn(i)` over iterations (after a warm-up)."""
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(iterations):
        started = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


SAMPLE_REFS = """
SELECT p.slug || ':' || m.external_id, m.id FROM models m JOIN platforms p ON p.id = m.platform_id
WHERE m.id IN (SELECT parent_id FROM model_lineage WHERE parent_id IS NOT NULL LIMIT 200)
ORDER BY m.id LIMIT 20
"""


def sample_refs(engine: Engine) -> list[tuple[str, int]]:
    """Refs of popular models that have parents or children (for the detail query)."""
    with engine.connect() as conn:
        rows = conn.execute(text(SAMPLE_REFS)).all()
    return [(ref, model_id) for ref, model_id in rows]


def detail_params(ref: tuple[str, int]) -> dict[str, Any]:
    """Parameters of HAND_DETAIL for a (ref, id)."""
    platform, _, external_id = ref[0].partition(":")
    return {"platform": platform, "external_id": external_id, "id": ref[1]}


def build_index(engine: Engine, total: int) -> FacetIndexCache:
    """Build the facet index (and its text index) once; print its time and size."""
    cache = FacetIndexCache(engine, check_interval=3600)
    started = time.perf_counter()
    index = cache.build_now()
    build = time.perf_counter() - started
    size = sum(
        a.nbytes
        for a in (
            index.ids,
            index.removed,
            index.nsfw,
            *index.single.values(),
        )
    )
    size += sum(column.nbytes for column in index.numbers.values())
    size += sum(m.rows.nbytes + m.offsets.nbytes for m in index.multi.values())
    text_size = index.text.nbytes if index.text is not None else 0
    print(
        f"models: {total:,}; facet index built in {build:.1f}s, {size / 2**20:.0f} MiB of "
        f"arrays + text index {text_size / 2**20:.0f} MiB ({(size + text_size) / 1e6:.0f} MB)"
        + ("" if index.text is not None else " (NOT BUILT: text searches use SQL)")
    )
    return cache


def _arguments() -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument(
        "--index-only",
        action="store_true",
        help="time the facet index and the pages only (no SQL backend, no hand SQL: at "
        "millions of models they take seconds per query)",
    )
    parser.add_argument(
        "--sql-iterations",
        type=int,
        help="iterations of the SQL backend and hand SQL (default: a quarter of "
        "--iterations, at least 5; one warm-up run each)",
    )
    parser.add_argument(
        "--no-hand-sql",
        action="store_true",
        help="leave out the hand-written SQL (minutes per query at 3M models)",
    )
    return parser.parse_args()


def main() -> None:
    """Command line entry."""
    args = _arguments()
    engine = create_engine(normalize_url(args.database_url), pool_size=5)
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM models")).scalar_one()
    cache = build_index(engine, total)
    # GraphQL runs over an engine like an API worker's (connections set up once,
    # autocommit): what a served request costs.
    requests = request_engine(normalize_url(args.database_url), 30_000, pool_size=2)
    refs = sample_refs(engine)

    def search(
        c: FacetIndexCache | None, with_text: bool, warm: bool = False
    ) -> Callable[[int], None]:
        def go(i: int) -> None:
            # Equal requests would be answered from the result cache.
            if c is not None and warm:
                c.clear_results()
            elif c is not None:
                c.clear_search_cache()
            variables: dict[str, Any] = {"filter": FILTERS[i % len(FILTERS)]}
            if with_text:
                variables["search"] = TEXTS[i % len(TEXTS)]
            run_graphql(requests, c, SEARCH, variables)

        return go

    pages = Pages(engine)
    print(f"API worker's facet index ready in {pages.ready_after:.1f}s")

    def search_page(with_text: bool) -> Callable[[int], None]:
        def go(i: int) -> None:
            text_part = f"&q={TEXTS[i % len(TEXTS)].replace(' ', '+')}" if with_text else ""
            pages.get(f"/?{PAGE_FILTERS[i % len(PAGE_FILTERS)]}{text_part}")

        return go

    def model_page(i: int) -> None:
        platform, _, external_id = refs[i % len(refs)][0].partition(":")
        pages.get(f"/models/{platform}/{external_id}")

    rows = [
        (
            "3 filters + 5 facets + total + first 20",
            search(cache, False),
            search(None, False),
            lambda i: run_sql(engine, HAND_SEARCH, {}),
        ),
        (
            "same + full-text search, cold (no hit cache)",
            search(cache, True),
            search(None, True),
            None,
        ),
        ("same, search hits cached", search(cache, True, warm=True), None, None),
        (
            "3 filters + 5 facets, an equal request before",  # the worker's result cache
            lambda i: run_graphql(requests, cache, SEARCH, {"filter": FILTERS[i % len(FILTERS)]}),
            None,
            None,
        ),
        (
            "model by ref: formats, tasks, base models",
            lambda i: run_graphql(requests, cache, CORE, {"ref": refs[i % len(refs)][0]}),
            None,
            None,
        ),
        (
            "model by ref, every relation",
            lambda i: run_graphql(requests, cache, DETAIL, {"ref": refs[i % len(refs)][0]}),
            None,
            lambda i: run_sql(engine, HAND_DETAIL, detail_params(refs[i % len(refs)])),
        ),
        ("search page (HTML): 3 filters + 8 facets", search_page(False), None, None),
        ("search page (HTML) + text (hits cached)", search_page(True), None, None),
        ("model page (HTML): lineage trees, history", model_page, None, None),
        (
            "stats: format x platform matrix",
            lambda i: (cache.clear_results(), run_graphql(requests, cache, STATS, {})),
            lambda i: run_graphql(requests, None, STATS, {}),
            None,
        ),
    ]
    _print_rows(rows, args)
    pages.close()


Row = tuple[str, Callable[[int], None], Callable[[int], None] | None, Callable[[int], None] | None]


def _print_rows(rows: list[Row], args: argparse.Namespace) -> None:
    """Time each row's callables and print the table, a line at a time."""
    n = args.iterations
    heads = ("facet index p50/p95", "SQL backend p50/p95", "hand SQL p50/p95")
    print(f"{'query':42} {heads[0]:>22} {heads[1]:>22} {heads[2]:>20}")
    sql_n = args.sql_iterations or max(5, n // 4)
    for label, with_index, sql_backend, hand in rows:
        cells = []
        for fn in (with_index, sql_backend, None if args.no_hand_sql else hand):
            if fn is None or (args.index_only and fn is not with_index):
                cells.append("-")
            else:
                try:
                    if fn is with_index:
                        p50, p95 = timed(fn, n)
                    else:
                        p50, p95 = timed(fn, sql_n, warmup=1)
                except RuntimeError as exc:  # e.g. a page over the request budget (503)
                    cells.append(str(exc).split(":", 2)[1].strip()[:20])
                    continue
                cells.append(f"{p50:.1f} / {p95:.1f} ms")
        print(f"{label:42} {cells[0]:>22} {cells[1]:>22} {cells[2]:>20}", flush=True)


if __name__ == "__main__":
    main()
