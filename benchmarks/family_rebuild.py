"""Speed of family assignment: full rebuilds and incremental recomputation.

    .venv/bin/python -m benchmarks.generate_catalog --models 100000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench_100k --recreate
    .venv/bin/python -m benchmarks.family_rebuild \\
        --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench_100k

Runs on a catalog made by `benchmarks.generate_catalog` (or a harvested one):

1. a first full rebuild (assignments emptied first: every row is written);
2. a second full rebuild (nothing changes: read, match, compare);
3. incremental recomputation of `--changed` random models, as the harvest runner calls it
   after a batch: once with their families unchanged, once after removing their
   assignments (every one changes, so their descendants are followed too).

Each step runs in its own transaction; step 3 is rolled back. Wall time, this process's
CPU time and peak memory are printed, with the target figures of issue 11.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from catalog.database import normalize_url
from catalog.families.recompute import rebuild_families, recompute_families
from catalog.families.vocabulary import load_vocabulary


def _timed(label: str, work: Callable[[], Any]) -> tuple[Any, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    load = os.getloadavg()[0]  # the machine may be shared: say how busy it was
    print(f"{label:58} {wall:8.2f} s wall  {cpu:8.2f} s cpu  load {load:4.1f}")  # noqa: T201
    return result, wall


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--changed", type=int, default=1000, help="models per incremental batch")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    engine = create_engine(normalize_url(args.database_url))
    vocab = load_vocabulary()
    with engine.connect() as conn:
        models = conn.execute(text("SELECT count(*) FROM models")).scalar_one()
    print(f"catalog: {models:,} models; vocabulary: {len(vocab.families):,} families")  # noqa: T201

    with Session(engine) as session:
        session.execute(text("TRUNCATE model_families, model_family_paths, model_links"))
        session.commit()
    with Session(engine) as session:
        first, first_wall = _timed("full rebuild, first (every assignment written)",
                                   lambda: rebuild_families(session, vocab))  # fmt: skip
        session.commit()
    with Session(engine) as session:
        _timed("full rebuild, again (nothing changes)", lambda: rebuild_families(session, vocab))
        session.commit()
    print(  # noqa: T201
        f"  {first.assigned:,} of {first.models:,} models assigned; by method {first.by_method}"
    )

    with Session(engine) as session:
        ids = [row[0] for row in session.execute(text("SELECT id FROM models"))]
    chosen = random.Random(args.seed).sample(ids, min(args.changed, len(ids)))
    with Session(engine) as session:
        _timed(f"incremental, {len(chosen):,} models, families unchanged",
               lambda: recompute_families(session, chosen, vocab))  # fmt: skip
        session.execute(
            text("DELETE FROM model_families WHERE model_id = ANY(:ids)"), {"ids": chosen}
        )
        touched, _ = _timed(
            f"incremental, {len(chosen):,} models, every family changed",
            lambda: recompute_families(session, chosen, vocab),
        )
        session.rollback()
    print(f"  reassigned {touched:,} models (the changed ones and their descendants)")  # noqa: T201
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB")  # noqa: T201
    per_million = first_wall * 1_000_000 / max(models, 1)
    print(f"first full rebuild extrapolated to 1,000,000 models: {per_million:,.0f} s")  # noqa: T201


if __name__ == "__main__":
    main()
