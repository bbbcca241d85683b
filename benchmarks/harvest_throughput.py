"""Harvest throughput: normalize+load from raw payloads, an unchanged rerun, peak memory.

Runs the real runner (raw landing, hashing, normalization, validation, bulk load,
checkpoints) over Hub-shaped payloads generated page by page in memory, so the figures
measure our side only (no HTTP). Each size runs in its own process so its peak RSS is its
own.

    .venv/bin/python -m benchmarks.harvest_throughput --models 100000 1000000

Uses BENCH_DATABASE_URL (a server URL; a scratch database is created and dropped), else
TEST_DATABASE_URL / DATABASE_URL, else the embedded server.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import time
from collections.abc import Iterator
from typing import Any, ClassVar

from sqlalchemy import create_engine

from catalog.records import NormalizedModel
from catalog.settings import Settings
from harvesters.base import FetchContext, Harvester, HarvesterConfig, Page, RawRecord
from harvesters.huggingface.parse import normalize_model
from harvesters.runner import RunOptions, run_harvest
from tests import pg
from tests.harvesters.huggingface.payloads import generate_models

PAGE = 1000
POOL_PAGES = 20  # distinct generated pages, reused with fresh ids: generation is not timed


class GeneratedHub(Harvester):
    """Serves `total` Hub-shaped payloads, generated one page at a time."""

    name: ClassVar[str] = "huggingface"

    def __init__(self, total: int) -> None:
        super().__init__(HarvesterConfig(), Settings())
        self.total = total
        self.pool = [generate_models(PAGE, seed=seed) for seed in range(POOL_PAGES)]

    def fetch(self, ctx: FetchContext) -> Iterator[Page]:
        start = int((ctx.resume or {}).get("page", 0))
        pages = (self.total + PAGE - 1) // PAGE
        for index in range(start, pages):
            size = min(PAGE, self.total - index * PAGE)
            records = []
            for n, payload in enumerate(self.pool[index % POOL_PAGES][:size]):
                model_id = f"{payload['id']}-p{index}-{n}"  # unique across pages
                copy = {**payload, "id": model_id, "modelId": model_id}
                records.append(RawRecord(model_id, copy, copy.get("lastModified")))
            yield Page(records, {"page": index + 1} if index + 1 < pages else None)

    def normalize(self, raw: RawRecord) -> NormalizedModel:
        return normalize_model(raw.payload)


def normalize_only(total: int) -> float:
    """Models/s of normalization alone (the pure part)."""
    payloads = [p for page in GeneratedHub(total).fetch(FetchContext()) for p in page.records]
    started = time.perf_counter()
    for raw in payloads:
        normalize_model(raw.payload)
    return total / (time.perf_counter() - started)


def measure(total: int, queue: Any) -> None:
    """Harvest `total` models twice into a scratch database; report through `queue`."""
    server = pg.server_url()
    name = pg.unique_name("bench_harvest")
    url = pg.migrated_database(server, name)
    engine = create_engine(url)
    try:
        timings = {}
        for label in ("first", "unchanged"):
            hub = GeneratedHub(total)
            started = time.perf_counter()
            result = run_harvest(
                "huggingface",
                engine=engine,
                settings=Settings(),
                harvester=hub,
                options=RunOptions(full=True),
            )
            elapsed = time.perf_counter() - started
            assert result.ok, result.error
            timings[label] = {
                "seconds": round(elapsed, 1),
                "models_per_s": round(total / elapsed),
                "counts": result.counts,
            }
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        queue.put({"models": total, **timings, "peak_rss_mb": round(peak_mb)})
    finally:
        engine.dispose()
        pg.drop_database(server, name)


def main() -> None:
    """Run the benchmark for each size and print one JSON line per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, nargs="+", default=[100_000])
    args = parser.parse_args()
    print(json.dumps({"normalize_only_models_per_s": round(normalize_only(20_000))}))
    ctx = multiprocessing.get_context("spawn")
    for total in args.models:
        queue = ctx.Queue()
        proc = ctx.Process(target=measure, args=(total, queue))
        proc.start()
        print(json.dumps(queue.get()), flush=True)
        proc.join()


if __name__ == "__main__":
    main()
