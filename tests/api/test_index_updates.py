"""A running server's search follows the catalog's changes in seconds, by patching its
index from the change log (migration 0009) instead of rebuilding it."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from benchmarks.load import free_port, start_server, stop_server
from tests import pg
from tests.api.served import Served, serve_catalog
from tests.factories import catalog_records, load, record

COUNTS = """
query ($search: String, $tag: String!) {
  text: models(search: $search) { totalCount }
  facet: models(filter: {tags: [$tag]}) { totalCount }
}
"""


@pytest.fixture
def served(server_url: URL, template_db: str, tmp_path: Path) -> Iterator[tuple[Served, Path]]:
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        yield from (
            (s, log_path)
            for s in serve_catalog(
                server_url, template_db, models=60, env={"CATALOG_LOG_LEVEL": "INFO"}, log=log
            )
        )


def _counts(base_url: str, word: str) -> tuple[int, int]:
    reply = httpx.post(
        f"{base_url}/graphql",
        json={"query": COUNTS, "variables": {"search": word, "tag": f"tag-{word}"}},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    data = reply.json()["data"]
    return data["text"]["totalCount"], data["facet"]["totalCount"]


def _write_changes(db_url: URL, word: str) -> None:
    """A harvest's batch: three known models re-described, two new ones."""
    engine = create_engine(db_url)
    with Session(engine) as session:
        known = [
            dataclasses.replace(r, summary=f"now with {word}", tags=(f"tag-{word}",))
            for r in catalog_records(60)[:3]
        ]
        fresh = [record(f"new/{word}-{i}", summary=word, tags=(f"tag-{word}",)) for i in range(2)]
        load(session, [*known, *fresh])
        session.commit()
    engine.dispose()


def test_changes_reach_search_and_facets_without_a_rebuild(
    served: tuple[Served, Path],
) -> None:
    server, log_path = served
    assert _counts(server.base_url, "quokka") == (0, 0)
    for word in ("quokka", "wombat"):  # a second change patches the patched index
        _write_changes(server.db_url, word)
        deadline = time.monotonic() + 30
        with ThreadPoolExecutor(4) as pool:  # concurrent clients meanwhile: all answered
            while (found := _counts(server.base_url, word)) != (5, 5):
                assert time.monotonic() < deadline, f"still {found} after 30 s"
                assert all(
                    c[0] in (0, 5) for c in pool.map(_counts, [server.base_url] * 4, [word] * 4)
                )
                time.sleep(0.1)
    log = log_path.read_text()
    assert log.count("facet index: patched") >= 2
    assert log.count(" models in ") == 1  # the start-up build, and no other


def test_a_restarted_server_patches_the_index_it_kept_instead_of_rebuilding(
    server_url: URL, template_db: str, tmp_path: Path
) -> None:
    name = pg.unique_name("catalog_restart")
    db_url = pg.create_database(server_url, name, template=template_db)
    url = db_url.render_as_string(hide_password=False)
    env = {"CATALOG_LOG_LEVEL": "INFO", "CATALOG_INDEX_DIR": str(tmp_path / "index")}
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            load(session, catalog_records(30))
            session.commit()
        for n, word in enumerate(("first", "kiwi", "numbat")):
            if n:  # changed while no server runs
                _write_changes(db_url, word)
            log_path = tmp_path / f"server{n}.log"
            with log_path.open("w") as log:
                port = free_port()
                process = start_server(url, port, env=env, log=log)
                try:
                    if n:
                        assert _counts(f"http://127.0.0.1:{port}", word) == (5, 5)
                finally:
                    stop_server(process)
            built = log_path.read_text().count(" models in ")
            assert built == (1 if n == 0 else 0), log_path.read_text()[-2000:]
    finally:
        engine.dispose()
        pg.drop_database(server_url, name)
    assert (tmp_path / "index" / "current").exists()  # kept for the next start


def test_an_idle_server_follows_a_harvest_before_the_next_request(
    served: tuple[Served, Path],
) -> None:
    server, log_path = served
    _write_changes(server.db_url, "pangolin")
    deadline = time.monotonic() + 30
    while "facet index: patched" not in log_path.read_text():  # no request meanwhile
        assert time.monotonic() < deadline, "the index did not follow without a request"
        time.sleep(0.2)
    time.sleep(1)  # the patched snapshot is published, then mapped by every worker
    assert _counts(server.base_url, "pangolin") == (5, 5)  # the first request sees it
