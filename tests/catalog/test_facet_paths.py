"""The facet index counts a multi-valued facet three ways (value bitsets, one pass over
the pairs, the rows' own entries), chosen by cost; every way must give the same counts,
and a filter built from bitsets the same rows as one built from the pairs."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from sqlalchemy.orm import Session

from catalog.queries import bitsets
from catalog.queries.conditions import Conditions
from catalog.queries.dimensions import DIMENSIONS
from catalog.queries.facet_engine import _dense_multi_counts, _multi_codes
from catalog.queries.facet_index import SINGLE_FIELDS, FacetIndex, Vocabulary, bucket_codes
from catalog.queries.filters import ModelQuery
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.resolve import ResolvedFilter
from catalog.queries.search import search_models
from tests.factories import catalog_records, load

MULTI = [field for field, dim in DIMENSIONS.items() if dim.multi]


@pytest.fixture
def index(db_session: Session) -> FacetIndex:
    """The facet index of 150 varied models."""
    load(db_session, catalog_records(150, seed=3))
    cache = FacetIndexCache()
    search_models(db_session, ModelQuery(), cache).total()
    assert cache.index is not None
    return cache.index


def _python_counts(index: FacetIndex, field: str, mask: np.ndarray) -> list[int]:
    """Per bucket code, the masked rows having it, from the raw pairs."""
    multi, vocab = index.multi[field], index.vocab[field]
    pairs = zip(multi.rows.tolist(), multi.values.tolist(), strict=True)
    found = Counter(int(vocab.code_of[v]) for r, v in pairs if mask[r])
    return [found.get(code, 0) for code in range(len(vocab.values))]


@pytest.mark.parametrize("share", [0.05, 0.5, 1.0])
def test_every_counting_path_agrees(index: FacetIndex, share: float) -> None:
    rng = np.random.default_rng(int(share * 100))
    mask = rng.random(index.size) < share
    rows = np.flatnonzero(mask)
    counted = 0
    for field in MULTI:
        size = len(index.vocab[field].values) + 1
        want = _python_counts(index, field, mask)
        counted += sum(want)
        dense = _dense_multi_counts(index, field, mask, size)[1:].tolist()
        sparse = np.bincount(_multi_codes(index, field, rows), minlength=size)[1:].tolist()
        assert dense == want, field
        assert sparse == want, field
        bits = bitsets.bitsets(index, field)
        if bits is not None:
            assert bitsets.counts(bits, bitsets.packed(mask)).tolist() == want, field
    assert counted > 0


def test_bitset_filter_selects_the_rows_of_its_values(index: FacetIndex) -> None:
    checked = 0
    for field in MULTI:
        bits = bitsets.bitsets(index, field)
        multi = index.multi[field]
        present = np.flatnonzero(multi.offsets[:-1] < multi.offsets[1:])
        if bits is None or len(present) < 2:
            continue
        ids = frozenset(present[:2].tolist())
        codes = bitsets.whole_codes(index.vocab[field], ids)
        assert codes is not None
        want = np.zeros(index.size, dtype=bool)
        for value_id in ids:
            want[multi.rows_with(value_id)] = True
        assert np.array_equal(bitsets.unpacked(bitsets.union(bits, codes), index.size), want), field
        checked += 1
    assert checked >= 3


def test_codes_shared_by_ids_only_when_every_id_is_asked() -> None:
    # ids 1 and 2 share the value "a" (code 0); id 3 is "b" (code 1); id 0 is unknown
    vocab = Vocabulary(np.array([-1, 0, 0, 1]), ["a", "b"], ["A", "B"], np.arange(2))
    assert bitsets.whole_codes(vocab, frozenset({1})) is None  # a bitset would add id 2
    assert bitsets.whole_codes(vocab, frozenset({1, 2})).tolist() == [0]  # type: ignore[union-attr]
    assert bitsets.whole_codes(vocab, frozenset({3, 99})).tolist() == [1]  # type: ignore[union-attr]
    assert bitsets.whole_codes(vocab, frozenset({0})).tolist() == []  # type: ignore[union-attr]


def test_single_valued_counts_agree(index: FacetIndex) -> None:
    mask = np.random.default_rng(5).random(index.size) < 0.5
    checked = []
    for field in SINGLE_FIELDS:
        vocab = index.vocab[field]
        found = Counter(int(vocab.code_of[v]) for v in index.single[field][mask].tolist() if v > 0)
        want = [found.get(code, 0) for code in range(len(vocab.values))]
        codes = bucket_codes(index, field)[np.flatnonzero(mask)]
        assert np.bincount(codes, minlength=len(want) + 1)[1:].tolist() == want, field
        bits = bitsets.bitsets(index, field)
        if bits is None:
            continue  # licenses: the seeded vocabulary is large
        checked.append(field)
        assert bitsets.counts(bits, bitsets.packed(mask)).tolist() == want, field
    assert {"platform", "library", "author"} <= set(checked)


def test_bitsets_only_for_small_vocabularies(
    index: FacetIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    bits = bitsets.bitsets(index, "format")
    assert bits is not None
    assert bits.shape == (len(index.vocab["format"].values), bitsets.words_of(index.size))
    assert bitsets.bitsets(index, "parameter_range") is None  # a range: no vocabulary
    monkeypatch.setattr(bitsets, "MAX_CODES", 3)
    assert bitsets.bitsets(index, "author") is None  # 7 authors
    assert bitsets.bitsets(index, "tag") is None  # 4 tags


def test_an_exclusion_alone_counts_no_padding_rows(index: FacetIndex) -> None:
    # Every model shown (removed and NSFW included): nothing but the exclusion's own
    # inverted bitset bounds the rows, and its padding past the last row must stay clear.
    platform = index.vocab["platform"]
    kaggle = frozenset(int(i) for i in np.flatnonzero(platform.code_of >= 0)[:1])
    rf = ResolvedFilter(
        include={}, exclude={"platform": kaggle}, include_removed=True, include_nsfw=True
    )
    cond = Conditions(index, rf, None)
    want = int(np.count_nonzero(~np.isin(index.single["platform"], list(kaggle))))
    assert index.size % 64  # the fixture leaves a partial last word
    assert cond.count() == want
    assert int(cond.mask().sum()) == want
