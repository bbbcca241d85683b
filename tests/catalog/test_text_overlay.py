"""A patched text index keeps its main postings and layers the changed rows over them:
searches answer as PostgreSQL does while layered, and after the overlay is folded in."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from catalog.queries import index_cache
from catalog.queries.facet_index import FacetIndex
from catalog.queries.filters import ModelQuery, SortKey
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.index_store import IndexStore
from catalog.queries.search import search_models
from tests.catalog.test_queries_text_index import RECORDS, TEXTS
from tests.factories import catalog_records, load, record

# Words the changes below bring in or take away.
CHANGED_TEXTS = ["quokka", "zebra", "bert base", "whisper", "transcription", "wombat", "llama 2"]


def _ids(session: Session, cache: FacetIndexCache | None, text: str) -> list[int]:
    query = ModelQuery(search=text, first=100, sort=(SortKey("downloads", True),))
    result = search_models(session, query, cache)
    assert result.backend == ("sql" if cache is None else "index")
    return result.page().ids


def _answers_as_sql(engine: Engine, cache: FacetIndexCache) -> None:
    with Session(engine) as session:
        for text in [*TEXTS, *CHANGED_TEXTS]:
            assert _ids(session, cache, text) == _ids(session, None, text), text
        assert len(_ids(session, None, "transcription")) == 0
        assert len(_ids(session, None, "quokka")) == 1


def _change(engine: Engine, records: list, round_no: int) -> None:  # noqa: ANN001
    """Re-describe a few models (one of them every round) and add new ones."""
    changed = [
        # "whisper" and "transcription" leave its summary: the main postings are stale.
        dataclasses.replace(records[9], summary=f"quokka round {round_no}", tags=("zebra",)),
        dataclasses.replace(records[round_no], name=f"wombat-{round_no}", summary="renamed"),
    ]
    added = [record(f"new/bert-base-zebra-{round_no}", summary="fresh faces", downloads=50)]
    with Session(engine) as session:
        load(session, [*changed, *added])
        session.commit()


def _shared(engine: Engine, root: Path, generated: int) -> tuple[list, FacetIndexCache, FacetIndex]:
    """The hand-made records and `generated` more, loaded; a cache sharing its index
    through a store in `root`, and the index it built."""
    records = [*RECORDS, *catalog_records(generated)]
    with Session(engine) as session:
        load(session, records)
        session.commit()
    cache = FacetIndexCache(engine, store=IndexStore(root))
    return records, cache, cache.build_now()


def _wait_folded(cache: FacetIndexCache) -> FacetIndex:
    deadline = time.monotonic() + 60
    while True:
        index = cache.index
        assert index is not None
        assert index.text is not None
        if index.text.overlay is None:
            return index
        assert time.monotonic() < deadline, "the overlay was not folded"
        time.sleep(0.05)


def test_layered_then_folded_text_answers_as_sql(
    fresh_engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records, cache, built = _shared(fresh_engine, tmp_path, 40)
    assert built.text is not None
    monkeypatch.setattr(index_cache, "needs_fold", lambda text: False)
    for round_no in (1, 2):  # the second round changes a model the overlay holds
        _change(fresh_engine, records, round_no)
        layered = cache.build_now()
        assert layered.text is not None
        assert layered.text.overlay is not None
        assert layered.text.overlaid_rows == 2 * round_no + 1
        # The main postings are the build's, mapped from the published files.
        assert len(layered.text.postings) == len(built.text.postings)
        assert not layered.text.postings.flags.writeable
        _answers_as_sql(fresh_engine, cache)
    monkeypatch.undo()
    _change(fresh_engine, records, 3)
    cache.build_now()  # layered, published, then folded in the background
    folded = _wait_folded(cache)
    assert folded.text is not None
    assert len(folded.text.postings) != len(built.text.postings)
    _answers_as_sql(fresh_engine, cache)
    published = IndexStore(tmp_path).latest()  # the next patch starts from the folded one
    assert published is not None
    assert published.text is not None
    assert published.text.overlay is None


def test_a_fold_overtaken_by_a_newer_patch_is_dropped(
    fresh_engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records, cache, _ = _shared(fresh_engine, tmp_path, 20)
    monkeypatch.setattr(index_cache, "needs_fold", lambda text: False)
    _change(fresh_engine, records, 1)
    layered = cache.build_now()
    _change(fresh_engine, records, 2)
    newer = cache.build_now()
    cache._fold(layered)  # finishes after the newer patch: must not replace it
    assert cache.index is newer
    latest = IndexStore(tmp_path).latest()
    assert latest is not None
    assert latest.version == newer.version
    assert latest.text is not None
    assert latest.text.overlay is not None
    _answers_as_sql(fresh_engine, cache)
