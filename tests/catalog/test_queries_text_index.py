"""Full-text search from the in-memory text index: the same models as PostgreSQL's
`search_document @@ tsquery`, ranked by exact names, field weights, then downloads."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from catalog.queries import facet_index
from catalog.queries.filters import ModelFilter, ModelQuery, SortKey
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.index_store import IndexStore
from catalog.queries.search import search_models
from catalog.queries.text_index import Terms, best_postings, key_ranges, prefix_key
from tests.factories import catalog_records, load, record

RECORDS = [
    record("meta-llama/Llama-3.1-8B-Instruct", summary="Instruction tuned.", downloads=9000),
    record("meta-llama/Llama-2-7b", summary="An older model.", downloads=5000),
    record("someone/llama3-8b-gguf", summary="Quantized llama 3.", downloads=40),
    record("google-bert/bert-base-uncased", summary="Masked language model.", downloads=10**7),
    record("somebody/bert-base", summary="A copy.", downloads=3),
    record("x/bert-base-uncased-finetuned-squad", summary="Answers questions.", downloads=5000),
    record("timm/resnet50.a1_in1k", summary="ResNet image classifier.", downloads=700),
    record("lab/resnet-50-faces", summary="Faces.", tags=["vision"], downloads=20),
    record("openai/whisper-large-v3", summary="Speech recognition.", downloads=10),
    record("someone/asr-tool", summary="Wraps whisper for transcription.", downloads=10000),
    record("other/tagged", summary="Unrelated.", tags=["whisper"], downloads=20000),
    record("helsinki/opus-mt-de-en", summary="Translation between languages.", downloads=7),
    record("tokyo/日本語-bert", summary="Japanese über model, naïve café.", downloads=12),
    record("the-org/the-model", summary="The best of the rest.", downloads=1),
    record("snake/my_model_v2", summary="Underscores everywhere.", downloads=2),
]
TEXTS = [
    "llama",
    "llama-3",
    "llama 3",
    "llama3",
    "Llama 3.1 8B Instruct",
    "bert-base",
    "bert base uncased",
    "BERT",
    "resnet50",
    "resnet-50",
    "resnet 50",
    "whisper large v3",
    "translate",
    "translations",
    "the",
    "the model",
    "of",
    "日本語",
    "über",
    "cafe",
    "café",
    "my_model_v2",
    "model v2",
    "b",
    "l",
    "org1",
    "text generation",
    "no-such-word-anywhere",
    "x² ½",
]


@pytest.fixture
def catalog(db_session: Session) -> dict[str, int]:
    """Hand-made names next to the varied generated catalog."""
    return load(db_session, [*RECORDS, *catalog_records(60)])


def _ids(session: Session, cache: FacetIndexCache | None, text: str) -> list[int]:
    query = ModelQuery(search=text, first=100, sort=(SortKey("downloads", True),))
    result = search_models(session, query, cache)
    assert result.backend == ("sql" if cache is None else "index")
    assert result.total() == len(result.page().ids)
    return result.page().ids


@pytest.mark.parametrize("text", TEXTS)
def test_index_matches_the_same_models_as_sql(db_session, catalog, text) -> None:
    cache = FacetIndexCache()
    assert cache.current(db_session) is not None
    assert cache.index is not None
    assert cache.index.text is not None
    assert _ids(db_session, cache, text) == _ids(db_session, None, text)


def test_the_texts_exercise_matches_and_misses(db_session, catalog) -> None:
    """The comparison above is not between empty answers."""
    counts = {t: len(_ids(db_session, FacetIndexCache(), t)) for t in TEXTS}
    assert counts["no-such-word-anywhere"] == 0
    assert counts["llama"] >= 3
    assert counts["b"] > counts["bert-base"] > 0
    assert counts["日本語"] == 1
    assert counts["translations"] == 1


@pytest.mark.parametrize("cache", [None, FacetIndexCache()], ids=["sql", "index"])
def test_id_fragments_match_both_ways(db_session, catalog, cache) -> None:
    by_id = {v: k for k, v in catalog.items()}
    resnets = {"huggingface:timm/resnet50.a1_in1k", "huggingface:lab/resnet-50-faces"}
    for text in ("resnet50", "resnet-50", "resnet 50"):
        assert {by_id[i] for i in _ids(db_session, cache, text)} == resnets, text
    llama3 = {by_id[i] for i in _ids(db_session, cache, "llama 3")}
    assert "huggingface:someone/llama3-8b-gguf" in llama3
    assert "huggingface:meta-llama/Llama-3.1-8B-Instruct" in llama3


def _ranked(session: Session, text: str) -> list[str]:
    result = search_models(session, ModelQuery(search=text, first=10), FacetIndexCache())
    assert result.backend == "index"
    by_id = {v: k for k, v in load_ids(session).items()}
    return [by_id[i] for i in result.page().ids]


def load_ids(session: Session) -> dict[str, int]:
    """Model ids by ref of every loaded model."""
    rows = session.execute(
        sql(
            "SELECT p.slug || ':' || m.external_id, m.id FROM models m "
            "JOIN platforms p ON p.id = m.platform_id"
        )
    ).all()
    return dict(rows)


def test_an_exact_name_comes_first_however_popular_the_others(db_session, catalog) -> None:
    ranked = _ranked(db_session, "bert base")
    assert ranked[0] == "huggingface:somebody/bert-base"  # 3 downloads, but the name
    assert ranked[1] == "huggingface:google-bert/bert-base-uncased"
    assert _ranked(db_session, "bert base uncased")[0] == (
        "huggingface:google-bert/bert-base-uncased"
    )
    assert _ranked(db_session, "google-bert/bert-base-uncased")[0] == (
        "huggingface:google-bert/bert-base-uncased"
    )
    assert _ranked(db_session, "llama 3.1 8b instruct")[0] == (
        "huggingface:meta-llama/Llama-3.1-8B-Instruct"
    )


def test_names_outrank_summaries_outrank_tags(db_session, catalog) -> None:
    assert _ranked(db_session, "whisper") == [
        "huggingface:openai/whisper-large-v3",  # name (10 downloads)
        "huggingface:someone/asr-tool",  # summary (10,000)
        "huggingface:other/tagged",  # tag (20,000)
    ]


def test_relevance_pages_walk_every_match_once(db_session, catalog) -> None:
    cache = FacetIndexCache()
    everything = search_models(db_session, ModelQuery(search="model", first=100), cache)
    expected = everything.page().ids
    assert len(expected) >= 5
    seen: list[int] = []
    after = None
    while True:
        page = search_models(db_session, ModelQuery(search="model", first=2, after=after), cache)
        seen += page.page().ids
        if not page.page().has_next:
            break
        after = page.cursors()[-1]
    assert seen == expected


def test_a_model_loaded_after_the_build_is_found_after_the_refresh(db_session, catalog) -> None:
    cache = FacetIndexCache()
    assert _ids(db_session, cache, "zebrafish") == []
    built = cache.index
    load(db_session, [record("lab/zebrafish-segmenter", summary="Segments fish.")])
    found = _ids(db_session, cache, "zebrafish")  # the version moved: rebuilt inline
    assert cache.index is not built
    assert found == [catalog_id(db_session, "huggingface:lab/zebrafish-segmenter")]


def catalog_id(session: Session, ref: str) -> int:
    """The id of one loaded model."""
    return load_ids(session)[ref]


def test_searches_use_sql_when_the_text_index_cannot_be_built(
    db_session, catalog, monkeypatch
) -> None:
    def broken(conn, size):  # noqa: ANN001, ANN202
        conn.exec_driver_sql("SELECT 1/0")

    monkeypatch.setattr(facet_index, "build_text_index", broken)
    cache = FacetIndexCache()
    assert cache.current(db_session) is not None
    assert cache.index is not None
    assert cache.index.text is None
    # The failed build rolled back to its savepoint: the session still works.
    assert _ids(db_session, cache, "whisper") == _ids(db_session, None, "whisper")
    flt = ModelFilter(values={"tags": ("whisper",)})
    result = search_models(db_session, ModelQuery(search="whisper", filter=flt), cache)
    assert result.total() == 1


def test_background_build_reads_the_text_index_in_the_same_snapshot(fresh_engine) -> None:
    with Session(fresh_engine) as session:
        load(session, RECORDS)
        session.commit()
    cache = FacetIndexCache(fresh_engine)
    index = cache.build_now()  # the text index on a second connection, same snapshot
    assert index.text is not None
    assert len(index.text.name_hash) == index.size == len(RECORDS)
    with Session(fresh_engine) as session:
        assert _ids(session, cache, "resnet 50") == _ids(session, None, "resnet 50")
        assert len(_ids(session, cache, "resnet 50")) == 2


def test_a_shared_index_maps_the_text_index_too(fresh_engine, tmp_path: Path) -> None:
    with Session(fresh_engine) as session:
        load(session, RECORDS)
        session.commit()
    built = FacetIndexCache(fresh_engine, store=IndexStore(tmp_path)).build_now()
    mapped = FacetIndexCache(fresh_engine, store=IndexStore(tmp_path))
    index = mapped.build_now()  # published by the first: mapped, not rebuilt
    assert index.text is not None
    assert not index.text.postings.flags.writeable  # a read-only map of the published file
    assert index.text.nbytes == built.text.nbytes  # type: ignore[union-attr]
    with Session(fresh_engine) as session:
        for text in ("bert base", "resnet50", "日本語", "whisper"):
            assert _ids(session, mapped, text) == _ids(session, None, text)
        ranked = search_models(session, ModelQuery(search="bert base", first=1), mapped)
        assert ranked.page().ids == [load_ids(session)["huggingface:somebody/bert-base"]]


def test_a_word_in_a_name_and_a_summary_is_posted_once_with_the_names_weight(
    db_session, catalog
) -> None:
    cache = FacetIndexCache()
    index = cache.current(db_session)
    assert index is not None
    assert index.text is not None
    text_index, row = index.text, index.rows_of([catalog["huggingface:lab/resnet-50-faces"]])[0]
    for term in range(len(text_index.terms)):
        packed = text_index.postings[text_index.offsets[term] : text_index.offsets[term + 1]]
        rows = (packed >> 2).tolist()
        assert len(rows) == len(set(rows)), text_index.terms[term]
    lo, hi = text_index.terms.prefix_range(b"faces")
    assert text_index.terms[lo] == b"faces"
    packed = text_index.postings[text_index.offsets[lo] : text_index.offsets[lo + 1]]
    assert (packed[(packed >> 2) == row] & 3).tolist() == [3]  # "Faces." in the summary too


def test_repeated_postings_keep_the_best_class_whatever_their_order() -> None:
    packed = np.array([5 * 4 + 1, 5 * 4 + 3, 7 * 4 + 2, 7 * 4 + 0, 5 * 4 + 2], dtype=np.int32)
    offsets = np.array([0, 4, 5])  # term 0: rows 5, 5, 7, 7; term 1: row 5
    deduped, new_offsets = best_postings(packed, offsets)
    assert deduped.tolist() == [5 * 4 + 3, 7 * 4 + 2, 5 * 4 + 2]
    assert new_offsets.tolist() == [0, 2, 3]


def test_key_ranges_find_every_terms_prefix_key_range() -> None:
    rng = random.Random(7)

    def word(letters: bytes) -> bytes:
        return bytes(rng.choice(letters) for _ in range(rng.randint(1, 12)))

    words = sorted({word(b"abcdefgh") for _ in range(3000)})
    terms = Terms(
        np.frombuffer(b"".join(words), dtype=np.uint8),
        np.concatenate(([0], np.cumsum([len(w) for w in words]))).astype(np.int32),
    )
    every_key = np.array([prefix_key(w) for w in words], dtype=np.uint64)
    keys = np.array([prefix_key(word(b"abcdefghi")) for _ in range(500)], dtype=np.uint64)
    lows, highs = key_ranges(terms, keys)
    assert lows.tolist() == np.searchsorted(every_key, keys, "left").tolist()
    assert highs.tolist() == np.searchsorted(every_key, keys, "right").tolist()
    assert (highs > lows).sum() > 50  # keys that terms have, not only misses
