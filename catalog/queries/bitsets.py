"""Row bitsets of the values of facets with small vocabularies (platforms, libraries,
licenses, formats, tasks, modalities).

A multi-valued facet keeps its (row, value) pairs grouped by value. Turning a value's
rows into a mask scatters them (4 ms for two formats over a million models), and
counting a facet under a dense mask gathers every pair; a single-valued facet's count
gathers the code of every matching row. With a bitset per value (one bit a model, 64
models a word) a filter is an OR of a few bitsets and a facet count is an AND and a
population count per value: N/8 bytes per value, whatever the number of matching rows.

Only vocabularies of at most `MAX_CODES` values get bitsets, so they cost at most 16
bytes a model per facet (tasks, about 60 values: 7.5 bytes; at 3M models platforms,
libraries, licenses, formats, tasks and the rest take about 80 MB); larger ones
(languages, tags, datasets, authors) keep their arrays alone.
"""

from __future__ import annotations

import numpy as np

from catalog.queries.dimensions import DIMENSIONS
from catalog.queries.facet_index import FacetIndex, Vocabulary, bucket_codes

MAX_CODES = 128
# Measured at 1M models, in words of bitset a matching row costs: a word ANDed and
# counted takes about 2.4 ns, a row expanded to its entries and counted about 23 ns, a
# row's code gathered and counted about 10 ns; a facet takes the cheaper way.
MULTI_ROW_COST = 10
SINGLE_ROW_COST = 3
_BLOCK = 8  # bitsets ANDed at once: the temporaries stay small


def words_of(size: int) -> int:
    """Words of a bitset over `size` rows."""
    return (size + 63) // 64


def bitsets(index: FacetIndex, field: str) -> np.ndarray | None:
    """Per bucket code, the rows having it (bit r % 64 of word r // 64); None for a
    facet with too many values (or a range facet)."""
    if field not in DIMENSIONS:
        return None
    if len(index.vocab[field].values) > MAX_CODES:
        return None
    key = f"bits:{field}"
    cached = index.derived.get(key)
    if cached is None:
        build = _build_multi if DIMENSIONS[field].multi else _build_single
        cached = index.derived[key] = build(index, field)
    return cached


def _build_single(index: FacetIndex, field: str) -> np.ndarray:
    codes = bucket_codes(index, field)  # code + 1 per row, 0 for none
    words = words_of(index.size)
    out = np.zeros((len(index.vocab[field].values), words), dtype=np.uint64)
    has = np.zeros(words * 64, dtype=bool)
    for code in np.unique(codes[codes > 0]).tolist():
        np.equal(codes, code, out=has[: index.size])
        out[code - 1] = np.packbits(has, bitorder="little").view(np.uint64)
    return out


def _build_multi(index: FacetIndex, field: str) -> np.ndarray:
    multi, vocab = index.multi[field], index.vocab[field]
    words = words_of(index.size)
    out = np.zeros((len(vocab.values), words), dtype=np.uint64)
    present = np.flatnonzero(multi.offsets[:-1] < multi.offsets[1:])
    present = present[present < len(vocab.code_of)]
    codes = vocab.code_of[present]
    for code in np.unique(codes[codes >= 0]).tolist():
        has = np.zeros(words * 64, dtype=bool)
        for value_id in present[codes == code].tolist():
            has[multi.rows_with(value_id)] = True
        out[code] = np.packbits(has, bitorder="little").view(np.uint64)
    return out


def carried(
    old: np.ndarray,
    remap: np.ndarray | None,
    shape: tuple[int, int],
    touched: np.ndarray,
    pairs: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Bitsets of a patched index (`shape`: codes, rows) from the base's `old` ones, when
    old rows keep their numbers: each old code moved to `remap[code + 1] - 1` (None: the
    codes did not change), the `touched` rows cleared, then each (row, code) of `pairs`
    set. A pass over the bitsets, not over every model's values."""
    n_codes, size = shape
    out = np.zeros((n_codes, words_of(size)), dtype=np.uint64)
    at = np.arange(len(old)) if remap is None else remap[1 : len(old) + 1] - 1
    out[at, : old.shape[1]] = old
    mask = np.zeros(size, dtype=bool)
    mask[touched] = True
    out &= ~packed(mask)
    rows, codes = pairs
    keep = codes >= 0
    rows, codes = rows[keep].astype(np.int64), codes[keep].astype(np.int64)
    bits = np.left_shift(np.uint64(1), (rows % 64).astype(np.uint64))
    np.bitwise_or.at(out, (codes, rows // 64), bits)
    return out


def packed(mask: np.ndarray) -> np.ndarray:
    """A boolean row mask as a bitset."""
    out = np.zeros(words_of(len(mask)) * 8, dtype=np.uint8)
    out[: (len(mask) + 7) // 8] = np.packbits(mask, bitorder="little")
    return out.view(np.uint64)


def whole_codes(vocab: Vocabulary, ids: frozenset[int]) -> np.ndarray | None:
    """The bucket codes of `ids` when the ids cover each of those codes entirely (ids
    sharing a public value share a code); None otherwise (a bitset would say too much).
    Ids the vocabulary does not know have no rows and are left out."""
    known = np.array([i for i in ids if 0 <= i < len(vocab.code_of)], dtype=np.int64)
    codes = vocab.code_of[known]
    known, codes = known[codes >= 0], codes[codes >= 0]
    assigned = vocab.code_of[vocab.code_of >= 0]
    per_code = np.bincount(assigned, minlength=len(vocab.values))
    chosen = np.unique(codes)
    if np.bincount(codes, minlength=len(vocab.values))[chosen].sum() != per_code[chosen].sum():
        return None
    return chosen


def union(bits: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Rows having any of `codes`, as a bitset."""
    if not len(codes):
        return np.zeros(bits.shape[1], dtype=np.uint64)
    return np.bitwise_or.reduce(bits[codes], axis=0)


def every_row(size: int) -> np.ndarray:
    """A bitset of all `size` rows."""
    return inverted(np.zeros(words_of(size), dtype=np.uint64), size)


def inverted(words: np.ndarray, size: int) -> np.ndarray:
    """The rows (of `size`) not in `words`; the padding past the last row stays clear."""
    out = ~words
    tail = size % 64
    if tail:
        out[-1] &= np.uint64((1 << tail) - 1)
    return out


def unpacked(words: np.ndarray, size: int) -> np.ndarray:
    """A bitset as a boolean mask of `size` rows."""
    return np.unpackbits(words.view(np.uint8), count=size, bitorder="little").view(bool)


def population(words: np.ndarray) -> int:
    """How many rows a bitset holds."""
    return int(np.bitwise_count(words).sum())


def counts(bits: np.ndarray, mask_bits: np.ndarray) -> np.ndarray:
    """Per bucket code, the rows of `mask_bits` having it."""
    out = np.empty(len(bits), dtype=np.int64)
    words = bits.shape[1]
    both = np.empty((_BLOCK, words), dtype=np.uint64)
    ones = np.empty((_BLOCK, words), dtype=np.uint8)
    for start in range(0, len(bits), _BLOCK):
        n = min(_BLOCK, len(bits) - start)
        np.bitwise_and(bits[start : start + n], mask_bits, out=both[:n])
        np.bitwise_count(both[:n], out=ones[:n])
        out[start : start + n] = ones[:n].sum(axis=1)
    return out
