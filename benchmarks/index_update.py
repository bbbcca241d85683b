"""How long a harvest's changes take to reach search on a running `catalog serve`.

    .venv/bin/python -m benchmarks.index_update \\
        --database-url postgresql://postgres@127.0.0.1:5432/catalog_bench_1m --changes 10000

Starts `catalog serve` on the catalog and waits for its facet index, then writes a
harvest's worth of changes through the loader (the harvest's write path, batches of
1,000 of one platform, committed batch by batch): `--changes` models, nine in ten of
them existing ones given new tags, a new summary word and new downloads, one in ten
new. From the last commit it polls the API until a full-text search for the new word
and a filter on the new tag both count every changed model, and prints the time. The
server's log lines about its index (patched or rebuilt, and the time each step took)
follow. The changes stay in the database (run it again: each run uses new words).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from benchmarks.load import free_port, start_server, stop_server
from catalog.database import normalize_url
from catalog.loader.load import load_models
from catalog.records import NormalizedModel

BATCH = 1000
COUNT_QUERY = """
query ($search: String, $tag: String!) {
  text: models(search: $search) { totalCount }
  facet: models(filter: {tags: [$tag]}) { totalCount }
}
"""


def changed_records(session: Session, total: int, word: str) -> list[NormalizedModel]:
    """`total` records: existing models re-described (nine in ten) and new ones."""
    existing = total - total // 10
    rows = session.execute(
        text(
            "SELECT p.slug, m.external_id, m.name FROM models m "
            "JOIN platforms p ON p.id = m.platform_id "
            "WHERE m.removed_at IS NULL ORDER BY random() LIMIT :n"
        ),
        {"n": existing},
    ).all()
    now = dt.datetime.now(dt.UTC)

    def described(platform: str, external_id: str, name: str, i: int) -> NormalizedModel:
        return NormalizedModel(
            platform=platform,
            external_id=external_id,
            name=name,
            author=external_id.split("/", 1)[0] if "/" in external_id else None,
            summary=f"refreshed {word} model {i}",
            tags=(f"tag-{word}", "refreshed"),
            downloads=1000 + i,
            last_modified=now,
        )

    records = [described(p, e, n, i) for i, (p, e, n) in enumerate(rows)]
    records += [
        described("huggingface", f"fresh-{word}/model-{i}", f"model-{i}", i)
        for i in range(total - len(records))
    ]
    return records


def write_changes(url: str, records: list[NormalizedModel]) -> float:
    """Load the records batch by batch (one platform each), committing each; returns
    the time of the last commit (monotonic)."""
    engine = create_engine(url)
    by_platform: dict[str, list[NormalizedModel]] = {}
    for rec in records:
        by_platform.setdefault(rec.platform, []).append(rec)
    with Session(engine) as session:
        for platform_records in by_platform.values():
            for start in range(0, len(platform_records), BATCH):
                batch = platform_records[start : start + BATCH]
                load_models(session, batch, observed_at=dt.datetime.now(dt.UTC))
                session.commit()
    committed = time.monotonic()
    engine.dispose()
    return committed


def wait_visible(port: int, word: str, expected: int, timeout: float) -> float | None:
    """Poll until search and facet both count `expected` models; the monotonic time."""
    deadline = time.monotonic() + timeout
    variables = {"search": word, "tag": f"tag-{word}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        while time.monotonic() < deadline:
            reply = client.post("/graphql", json={"query": COUNT_QUERY, "variables": variables})
            data = reply.json().get("data") or {}
            counts = [(data.get(k) or {}).get("totalCount") for k in ("text", "facet")]
            if counts == [expected, expected]:
                return time.monotonic()
            time.sleep(0.05)
    return None


def main() -> None:
    """Command line entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1, help="harvests, one after another")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    url = normalize_url(args.database_url)
    port = free_port()
    log_file = Path(tempfile.mkstemp(prefix="index-update-", suffix=".log")[1])
    with log_file.open("w") as log:
        _measure(args, url, port, log)
    for line in log_file.read_text().splitlines():
        if "facet index" in line:
            print("  server:", line.strip())  # noqa: T201
    os.unlink(log_file)


def _measure(args: argparse.Namespace, url: str, port: int, log: Any) -> None:
    server = start_server(args.database_url, port, env={"CATALOG_LOG_LEVEL": "INFO"}, log=log)
    try:
        engine = create_engine(url)
        for round_no in range(1, args.rounds + 1):
            word = "zq" + uuid.uuid4().hex[:10]
            with Session(engine) as session:
                records = changed_records(session, args.changes, word)
            started = time.monotonic()
            committed = write_changes(url, records)
            visible = wait_visible(port, word, len(records), args.timeout)
            wrote = committed - started
            if visible is None:
                print(f"round {round_no}: not visible after {args.timeout:.0f} s")  # noqa: T201
                continue
            print(  # noqa: T201
                f"round {round_no}: {len(records):,} changed models written in {wrote:.1f} s; "
                f"visible to search and facets {visible - committed:.2f} s after the last commit"
            )
        engine.dispose()
    finally:
        stop_server(server)


if __name__ == "__main__":
    main()
