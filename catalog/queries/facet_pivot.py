"""Counts matrices (two facets crossed) from the facet index, like `stats.build_pivot_select`."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from catalog.queries import bitsets
from catalog.queries.conditions import Conditions
from catalog.queries.dimensions import DIMENSIONS, RANGES
from catalog.queries.facet_engine import in_scope, range_codes
from catalog.queries.facet_index import FacetIndex

PivotRow = tuple[str, str | None, str | None, str | None, int]
# Cells a matrix may have to be counted from bitsets (each reads N/8 bytes): beyond it,
# joining the matching rows' pairs costs less.
MAX_BITSET_CELLS = 2048


def _axis(
    index: FacetIndex, field: str, mask: np.ndarray, scope: frozenset[int] | None = None
) -> tuple[np.ndarray, np.ndarray, list[str], list[str | None]]:
    """(row, bucket code) entries of one facet over the masked rows, and the bucket names."""
    if field in RANGES:
        rng = RANGES[field]
        numbers = index.numbers[rng.number]
        rows = np.flatnonzero(mask & numbers.known())
        codes = range_codes(rng, numbers.take(rows))
        return rows, codes, [b[0] for b in rng.buckets], [b[1] for b in rng.buckets]
    vocab = index.vocab[field]
    if DIMENSIONS[field].multi:
        multi = index.multi[field]
        kept = np.flatnonzero(mask[multi.rows])
        rows, ids = multi.rows[kept].astype(np.int64), multi.value_at(kept)
    else:
        rows = np.flatnonzero(mask)
        ids = index.single[field][rows]
        rows, ids = rows[ids > 0], ids[ids > 0]
    codes = vocab.code_of[ids]
    known = codes >= 0
    if scope is not None:
        known &= in_scope(index, field, scope)[np.maximum(codes, 0)]
    return rows[known], codes[known], vocab.values, vocab.labels


def _pairs(
    a_rows: np.ndarray, a_codes: np.ndarray, b_rows: np.ndarray, b_codes: np.ndarray, size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every (a code, b code) of the same row: a join on row number, vectorized."""
    order = np.argsort(b_rows, kind="stable")
    b_rows, b_codes = b_rows[order], b_codes[order]
    per_row = np.bincount(b_rows, minlength=size)
    starts = np.concatenate(([0], np.cumsum(per_row)[:-1]))
    counts = per_row[a_rows]
    total = int(counts.sum())
    first = np.repeat(starts[a_rows], counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(a_codes, counts), b_codes[first + offset]


def pivot_rows(
    index: FacetIndex,
    cond: Conditions,
    rows: str,
    columns: str | None,
    *,
    scopes: dict[str, frozenset[int]] | None = None,
) -> Iterator[PivotRow]:
    """(row value, row label, column value, column label, models) for non-zero cells of
    the models meeting `cond`; `scopes` keeps only those vocabulary ids of a field (the
    level of a tree shown)."""
    scopes = scopes or {}
    by_bits = _bitset_counts(index, cond.packed(), rows, columns, scopes)
    if by_bits is not None:
        yield from _cells(index, by_bits, rows, columns)
        return
    mask = cond.mask()
    r_rows, r_codes, r_values, r_labels = _axis(index, rows, mask, scopes.get(rows))
    if columns is None:
        counts = np.bincount(r_codes, minlength=len(r_values))
        for code in np.flatnonzero(counts):
            yield r_values[code], r_labels[code], None, None, int(counts[code])
        return
    c_rows, c_codes, c_values, c_labels = _axis(index, columns, mask, scopes.get(columns))
    a, b = _pairs(r_rows, r_codes, c_rows, c_codes, index.size)
    width = len(c_values)
    counts = np.bincount(a * width + b, minlength=len(r_values) * width)
    for cell in np.flatnonzero(counts):
        r, c = divmod(int(cell), width)
        yield r_values[r], r_labels[r], c_values[c], c_labels[c], int(counts[cell])


def _bitset_counts(
    index: FacetIndex,
    kept: np.ndarray,
    rows: str,
    columns: str | None,
    scopes: dict[str, frozenset[int]],
) -> np.ndarray | None:
    """The counts matrix (rows x columns codes; one row for a single facet) over the
    models of the bitset `kept`, from the value bitsets, when both facets have them and
    the matrix is small: an AND and a population count per cell, against a join of
    every matching row's pairs (at 3M models a format x platform matrix took 300 ms
    that way)."""
    r_bits = bitsets.bitsets(index, rows)
    c_bits = bitsets.bitsets(index, columns) if columns is not None else None
    if r_bits is None or (columns is not None and c_bits is None):
        return None
    width = len(c_bits) if c_bits is not None else 1
    if len(r_bits) * width > MAX_BITSET_CELLS:
        return None
    if c_bits is None:
        counts = bitsets.counts(r_bits, kept)[:, None]
    else:
        counts = np.stack([bitsets.counts(c_bits, r & kept) for r in r_bits])
    for axis, field in ((0, rows), (1, columns)):
        if field is not None and field in scopes:
            keep = in_scope(index, field, scopes[field])
            counts = counts * (keep[:, None] if axis == 0 else keep[None, :])
    return counts


def _cells(
    index: FacetIndex, counts: np.ndarray, rows: str, columns: str | None
) -> Iterator[PivotRow]:
    r_vocab = index.vocab[rows]
    c_vocab = index.vocab[columns] if columns is not None else None
    for r, c in zip(*np.nonzero(counts), strict=True):
        value, label = (None, None) if c_vocab is None else (c_vocab.values[c], c_vocab.labels[c])
        yield r_vocab.values[r], r_vocab.labels[r], value, label, int(counts[r, c])
