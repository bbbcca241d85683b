"""Relevance of full-text search: a model's name typed as a person would finds it.

    .venv/bin/python -m benchmarks.search_relevance [--samples ../shared/samples] [--misses]
    .venv/bin/python -m benchmarks.search_relevance \\
        --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench_100k


The real hub metadata of the samples folder (Hugging Face payloads, the archive hubs'
samples) and the Hugging Face payloads of the test fixtures are normalized by the
harvesters' own code and loaded by the real loader into a scratch database. For the
200 most downloaded of them, the name is typed the way a person would ("bert base
uncased" for google-bert/bert-base-uncased, "llama 3.1 8b instruct", "mobilenet v1
0.25 224") and searched through the in-memory index with the default order (relevance,
then downloads); the share found in the top 5 is printed (goal: >= 95%), and the SQL
backend's share (ts_rank) beside it. Without the samples folder it says so and exits 0.

By default the scratch database holds only those models (few competitors); with
`--database-url` they are loaded into that catalog instead (a generated benchmark
catalog: its synthetic "Llama-7b-instruct-..." names compete), which keeps them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from benchmarks.samples import sample_records
from catalog.database import normalize_url
from catalog.loader import load_models
from catalog.queries.filters import ModelQuery
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.search import search_models
from catalog.records import NormalizedModel
from harvesters.huggingface.parse import normalize_model
from tests import pg

REPO = Path(__file__).resolve().parent.parent
CANDIDATES = (REPO.parent / "shared" / "samples", REPO.parent.parent / "shared" / "samples")
FIXTURES = REPO / "tests" / "harvesters" / "huggingface" / "fixtures"
TOP = 200
GOAL = 0.95
OBSERVED = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def typed(name: str) -> str:
    """A name as people type it: lower case, separators as spaces, "3.1" kept."""
    spaced = re.sub(r"(?<!\d)\.|\.(?!\d)|[/_\-\s:]+", " ", name.lower())
    return " ".join(spaced.split())


def fixture_records(folder: Path) -> list[NormalizedModel]:
    """The Hugging Face model payloads of the test fixtures, normalized."""
    found = []
    for path in sorted(folder.glob("*.json")):
        payload = json.loads(path.read_text("utf-8"))
        if isinstance(payload, dict) and isinstance(payload.get("id"), str):
            found.append(normalize_model(payload))
    return found


def load_all(session: Session, records: list[NormalizedModel]) -> dict[tuple[str, str], int]:
    """Load the records per platform; model ids by (platform, external id)."""
    by_platform: dict[str, dict[str, NormalizedModel]] = defaultdict(dict)
    for rec in records:
        by_platform[rec.platform][rec.external_id] = rec  # later (richer) wins
    ids = {}
    for platform, batch in by_platform.items():
        result = load_models(session, list(batch.values()), observed_at=OBSERVED)
        ids.update({(platform, ext): mid for ext, mid in result.ids.items()})
    session.commit()
    return ids


def found_in_top(session: Session, cache: FacetIndexCache | None, text: str, model_id: int) -> bool:
    """Whether the model is among the first five answers to the text."""
    search = search_models(session, ModelQuery(search=text, first=5), cache)
    return model_id in search.page().ids


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=Path, default=None)
    parser.add_argument("--misses", action="store_true", help="list the models not found")
    parser.add_argument("--database-url", help="load into this (scratch) catalog instead")
    args = parser.parse_args()
    samples = args.samples or next((c for c in CANDIDATES if c.is_dir()), None)
    if samples is None or not samples.is_dir():
        print("no samples folder (../shared/samples): nothing to measure")
        sys.exit(0)
    records = [*sample_records(samples), *fixture_records(FIXTURES)]
    server = pg.server_url() if args.database_url is None else None
    name = pg.unique_name("bench_relevance")
    url = normalize_url(args.database_url) if server is None else pg.migrated_database(server, name)
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            ids = load_all(session, records)
        unique = {(r.platform, r.external_id): r for r in records}
        ranked = sorted(unique.values(), key=lambda r: (-(r.downloads or 0), r.external_id))
        chosen = ranked[:TOP]
        cache = FacetIndexCache(engine, check_interval=3600)
        index = cache.build_now()
        print(f"catalog: {index.size:,} models")
        hits = {"index": 0, "sql": 0}
        misses = []
        with Session(engine) as session:
            for rec in chosen:
                model_id = ids[(rec.platform, rec.external_id)]
                text = typed(rec.name or rec.external_id)
                for label, backend in (("index", cache), ("sql", None)):
                    ok = found_in_top(session, backend, text, model_id)
                    hits[label] += ok
                    if label == "index" and not ok:
                        misses.append(f"{rec.platform}:{rec.external_id}  <- {text!r}")
        total = len(chosen)
        print(f"models loaded: {len(unique)}; checked: {total} most downloaded")
        for label in ("index", "sql"):
            share = hits[label] / total
            goal = "" if label == "sql" else f" (goal >= {GOAL:.0%})"
            print(f"{label:5} backend: {hits[label]}/{total} = {share:.1%} in the top 5{goal}")
        if args.misses:
            print("\n".join(misses))
    finally:
        engine.dispose()
        if server is not None:
            pg.drop_database(server, name)


if __name__ == "__main__":
    main()
