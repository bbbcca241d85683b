"""Generate a synthetic catalog with a realistic shape (`benchmarks.synthetic`).

    .venv/bin/python -m benchmarks.generate_catalog --models 1000000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench_1m --recreate

The database is created (with --recreate: dropped first) and migrated. By default the
models are written with COPY (`benchmarks.bulk_load`, `benchmarks.bulk_derive`): a bulk
path for synthetic data on an empty database, which writes the rows the loader would
(the same vocabulary ids, `models` rows built by the loader's own code, every
association, lineage, sighting, metric point and the derived layer) with the secondary
indexes and foreign keys dropped during the load and rebuilt after it. With
--through-loader they go through the real loader instead (`catalog.loader.load_models`,
one transaction per batch): the harvest's write path, about 30 times slower.

Measured on this 2-core machine while other work ran (load average 4 to 9): 1,000,000
models in 739 s (3.0 GB), 3,000,000 in 2,392 s (9.0 GB; 274 s of it rebuilding indexes
and keys), where the loader path runs at 500-1,600 models/s and slows as the catalog grows.

Family assignments are not written by either path (the loader leaves them to the
harvest runner); --families runs `catalog families rebuild` on the result.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from benchmarks import bulk_schema
from benchmarks.bulk_derive import Planner, derive_rows
from benchmarks.bulk_load import BulkWriter, DerivedWriter
from benchmarks.synthetic import NOW, Generator
from catalog import migrate
from catalog.database import normalize_url
from catalog.loader import VocabularyIds, load_models
from catalog.records import NormalizedModel


def prepare_database(url: str, recreate: bool) -> str:
    """Create (or recreate) the database of `url` and migrate it; returns the URL."""
    target = normalize_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        ).first()
        if exists and recreate:
            conn.execute(text(f'DROP DATABASE "{target.database}" WITH (FORCE)'))
        if not exists or recreate:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(target)
    migrate.upgrade(engine)
    engine.dispose()
    return target.render_as_string(hide_password=False)


def _progress(started: float, label: str) -> Callable[[int], None]:
    def show(done: int) -> None:
        rate = done / (time.perf_counter() - started)
        print(f"\r{label} {done:>10,} models  {rate:,.0f}/s", end="", flush=True)  # noqa: T201

    return show


def generate(url: str, total: int, batch: int, seed: int) -> None:
    """Load `total` generated models into the database at `url` through the loader."""
    engine = create_engine(make_url(url))
    started = time.perf_counter()
    show = _progress(started, "loaded")
    loaded = 0
    with Session(engine) as session:
        vocab = VocabularyIds(session)
        for records in Generator(total, seed).batches(batch):
            load_models(session, records, observed_at=NOW, vocabulary=vocab)
            session.commit()
            loaded += len(records)
            show(loaded)
    _vacuum(engine)
    print(f"\nloaded {loaded:,} models in {time.perf_counter() - started:.0f}s")  # noqa: T201
    engine.dispose()


def generate_bulk(
    url: str, total: int, seed: int, *, chunk: int = 20_000, loader_batch: int = 5000
) -> dict[str, float]:
    """Write `total` generated models into the empty catalog at `url` with COPY.

    Args:
        url: The database (migrated, no models yet).
        total: How many models.
        seed: The generator's seed.
        chunk: Models per COPY transaction.
        loader_batch: The `--batch` of the loader path this one reproduces (it decides
            the order of a few evidence lists of the derived layer, see `bulk_derive`).

    Returns:
        Seconds per stage (tables, indexes and keys, vacuum).
    """
    engine = create_engine(make_url(url))
    stages: dict[str, float] = {}
    spawn = multiprocessing.get_context("spawn")  # a forked child would share the socket
    with Session(engine) as session, ProcessPoolExecutor(1, mp_context=spawn) as pool:
        if session.execute(text("SELECT EXISTS (SELECT 1 FROM models)")).scalar():
            raise SystemExit("the bulk path needs an empty catalog: use --recreate")
        conn = _driver(session)
        conn.execute("SET maintenance_work_mem = '1GB'")
        dropped = bulk_schema.drop(conn)
        session.commit()
        started = time.perf_counter()
        writer, derived = BulkWriter(session, NOW), DerivedWriter(_driver(session))
        planner, generator = Planner(total, loader_batch), Generator(total, seed)
        show = _progress(started, "written")
        pending: Future[tuple[list[Any], list[Any]]] | None = None
        for first in range(0, total, chunk):
            records, popular = _records(generator, first, min(chunk, total - first))
            writer.write(first, records)
            planner.add(first, records, popular)
            if first + len(records) >= total:
                planner.finish()
            jobs = planner.ready(first + len(records))
            # Derivations of the previous chunk were computed while this one was written.
            if pending is not None:
                derived.write(_driver(session), *pending.result())
            pending = pool.submit(derive_rows, jobs) if jobs else None
            session.commit()
            show(first + len(records))
        if pending is not None:
            derived.write(_driver(session), *pending.result())
            session.commit()
        assert not planner.waiting, "every model is derived"
        stages["tables"] = time.perf_counter() - started
        started = time.perf_counter()
        conn = _driver(session)
        bulk_schema.restore(conn, dropped)
        conn.execute("SELECT setval('models_id_seq', %s, %s)", (max(total, 1), total > 0))
        lineage_ids = max(writer.lineage_id, 1), writer.lineage_id > 0
        conn.execute("SELECT setval('model_lineage_id_seq', %s, %s)", lineage_ids)
        session.commit()
        stages["indexes and keys"] = time.perf_counter() - started
    started = time.perf_counter()
    _vacuum(engine)
    stages["vacuum analyze"] = time.perf_counter() - started
    engine.dispose()
    return stages


def _records(
    generator: Generator, first: int, count: int
) -> tuple[list[NormalizedModel], list[bool]]:
    """The next `count` records, and whether the generator made each one popular."""
    records, popular = [], []
    for i in range(first, first + count):
        before = len(generator.popular)
        records.append(generator.record(i))
        popular.append(len(generator.popular) > before)
    return records, popular


def _driver(session: Session) -> psycopg.Connection:
    conn = session.connection().connection.driver_connection
    assert isinstance(conn, psycopg.Connection)
    return conn


def _vacuum(engine: object) -> None:
    assert hasattr(engine, "connect")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def rebuild_families(url: str) -> None:
    """`catalog families rebuild` on the database at `url` (as an operator runs it)."""
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "-m", "catalog.cli.main", "families", "rebuild"]
    subprocess.run(command, env=env, check=True)  # noqa: S603


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100_000)
    parser.add_argument("--database-url", required=True, help="database to fill")
    parser.add_argument("--recreate", action="store_true", help="drop the database first")
    parser.add_argument(
        "--batch",
        type=int,
        default=5000,
        help="models per loader batch (the bulk path writes what this batch would)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--through-loader",
        action="store_true",
        help="load through catalog.loader (the harvest's path) instead of COPY",
    )
    parser.add_argument(
        "--families", action="store_true", help="run `catalog families rebuild` afterwards"
    )
    args = parser.parse_args()
    url = prepare_database(args.database_url, args.recreate)
    started = time.perf_counter()
    if args.through_loader:
        generate(url, args.models, args.batch, args.seed)
    else:
        stages = generate_bulk(url, args.models, args.seed, loader_batch=args.batch)
        print()  # noqa: T201
        for stage, seconds in stages.items():
            print(f"{stage:>18}: {seconds:7.1f}s")  # noqa: T201
    if args.families:
        family_started = time.perf_counter()
        rebuild_families(url)
        print(f"families rebuilt in {time.perf_counter() - family_started:.0f}s")  # noqa: T201
    print(f"{args.models:,} models in {time.perf_counter() - started:.0f}s")  # noqa: T201


if __name__ == "__main__":
    main()
