"""One facet index for every API worker: built by one process, mapped by all."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from catalog.queries import index_cache
from catalog.queries.facet_index import FacetIndex, read_version
from catalog.queries.filters import ModelQuery
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.index_store import IndexStore
from catalog.queries.search import search_models
from tests.api.served import Served, serve_catalog
from tests.factories import catalog_records, load, record


def _obtain(url: str, root: str, out: str) -> None:
    """In a fresh process: get the index through the store, noting a build if it makes one."""
    engine = create_engine(url)
    cache = FacetIndexCache(engine, store=IndexStore(root))
    original = cache._build_snapshot

    def build_and_note(conn):  # noqa: ANN001, ANN202
        Path(root, f"built-by-{os.getpid()}").touch()
        time.sleep(1.0)  # keep the other process waiting on the lock, not racing past it
        return original(conn)

    cache._build_snapshot = build_and_note  # type: ignore[method-assign]
    index = cache.build_now()
    Path(out).write_text(f"{index.size} {index.version}")
    engine.dispose()


def test_two_processes_at_once_build_the_index_once_and_map_the_same_one(
    fresh_engine, fresh_db_url: URL, tmp_path: Path
) -> None:
    with Session(fresh_engine) as session:
        load(session, catalog_records(40))
        session.commit()
    url = fresh_db_url.render_as_string(hide_password=False)
    ctx = multiprocessing.get_context("spawn")
    outs = [tmp_path / f"out{i}" for i in range(2)]
    procs = [ctx.Process(target=_obtain, args=(url, str(tmp_path), str(o))) for o in outs]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    assert len(list(tmp_path.glob("built-by-*"))) == 1
    assert outs[0].read_text() == outs[1].read_text()
    assert outs[0].read_text().startswith("40 ")
    assert len(list(tmp_path.glob("snapshot-*"))) == 1


def _settled(engine: Engine) -> None:
    """Wait until the version stops moving: a backend reports its table statistics (part
    of the version) up to a second after it commits, and a build that takes longer than
    that (the text index) would otherwise see a version the next reader does not."""
    last = None
    while True:
        with engine.connect() as conn:
            version = read_version(conn)
        if version == last:
            return
        last = version
        time.sleep(1.1)


def test_a_changed_catalog_is_published_again_and_old_snapshots_go(
    fresh_engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each patch here is published once (folds publish again: tests/catalog/test_text_overlay.py).
    monkeypatch.setattr(index_cache, "needs_fold", lambda text: False)
    with Session(fresh_engine) as session:
        load(session, catalog_records(10))
        session.commit()
    cache = FacetIndexCache(fresh_engine, store=IndexStore(tmp_path))
    reader = FacetIndexCache(fresh_engine, store=IndexStore(tmp_path))
    for n in range(1, 4):
        with Session(fresh_engine) as session:
            load(session, [record(f"late/model-{n}", downloads=10**9 + n)])
            session.commit()
        _settled(fresh_engine)
        built = cache.build_now()
        assert built.size == 10 + n
        mapped = reader.build_now()  # the published one: same version, same rows
        assert (mapped.version, mapped.size) == (built.version, built.size)
        with Session(fresh_engine) as session:
            top = search_models(session, ModelQuery(first=1), reader)
            assert top.backend == "index"
            assert top.page().ids == [int(mapped.ids.max())]
    assert sorted(p.name for p in tmp_path.glob("snapshot-*")) == [
        "snapshot-00000002",
        "snapshot-00000003",
    ]


def test_an_unreadable_snapshot_is_rebuilt_not_served(fresh_engine, tmp_path: Path) -> None:
    with Session(fresh_engine) as session:
        load(session, catalog_records(5))
        session.commit()
    first = FacetIndexCache(fresh_engine, store=IndexStore(tmp_path)).build_now()
    (tmp_path / "snapshot-00000001" / "skeleton.pickle").write_bytes(b"torn")
    again = FacetIndexCache(fresh_engine, store=IndexStore(tmp_path)).build_now()
    assert isinstance(again, FacetIndex)
    assert (again.version, again.size) == (first.version, first.size)
    assert (tmp_path / "current").read_text() == "snapshot-00000002"


@pytest.fixture(scope="module")
def served_two_workers(
    server_url, template_db, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Served, Path]]:
    tmp = tmp_path_factory.mktemp("serve-tmp")
    env = {"CATALOG_API_WORKERS": "2", "TMPDIR": str(tmp)}
    for served in serve_catalog(server_url, template_db, models=50, env=env):
        yield served, tmp


def test_served_workers_share_one_published_index_and_clean_it_up(served_two_workers) -> None:
    served, tmp = served_two_workers
    (root,) = tmp.glob("model-catalog-index-*")
    assert [p.name for p in root.glob("snapshot-*")] == ["snapshot-00000001"]
    body = {"query": "{ models(first: 1) { totalCount } }"}
    for _ in range(4):  # both workers answer from it
        reply = httpx.post(f"{served.base_url}/graphql", json=body, timeout=30)
        assert reply.json() == {"data": {"models": {"totalCount": 80}}}
    served.process.terminate()
    served.process.wait(30)
    assert not root.exists()
