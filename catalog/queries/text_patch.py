"""Patch a `TextIndex` with the lexemes of changed models instead of rebuilding it.

The postings of the changed rows are dropped, the lexemes new to the dictionary are
merged into it (it stays sorted bytewise, so prefixes stay contiguous), and the changed
rows' postings are inserted at the end of their terms' runs: a few passes over the
postings array, against a full rebuild's grouping of every lexeme in PostgreSQL.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection, text

from catalog.queries.row_plan import RowPlan
from catalog.queries.text_index import (
    CLASS_LEXEMES,
    NAME_HASH,
    Terms,
    TextIndex,
    key_ranges,
    narrow,
    prefix_key,
)

_DELTA_POSTINGS_SQL = f"""
SELECT x.lexeme, string_agg(int8send(m.id) || int4send(x.class), ''::bytea)
FROM models m, LATERAL ({CLASS_LEXEMES}) x(lexeme, class)
WHERE m.id = ANY(CAST(:ids AS bigint[]))
GROUP BY x.lexeme
ORDER BY x.lexeme COLLATE "C"
"""
_DELTA_NAMES_SQL = (
    f"SELECT id, {NAME_HASH} FROM models WHERE id = ANY(CAST(:ids AS bigint[])) ORDER BY id"
)


@dataclass(slots=True)
class TextDelta:
    """The lexemes of changed models: `lexemes` sorted bytewise, and per posting its
    lexeme's position there, its model id and its weight class; name hashes by id."""

    lexemes: list[bytes]
    lexeme_of: np.ndarray
    model_ids: np.ndarray
    classes: np.ndarray
    name_ids: np.ndarray
    name_hashes: np.ndarray


def read_text_delta(conn: Connection, changed: np.ndarray) -> TextDelta:
    """The lexemes and name hashes of the `changed` models (in the caller's snapshot)."""
    ids = changed.tolist()
    rows = conn.execute(text(_DELTA_POSTINGS_SQL), {"ids": ids}).all() if ids else []
    names = conn.execute(text(_DELTA_NAMES_SQL), {"ids": ids}).all() if ids else []
    # Each lexeme's postings come packed (model id, class): one buffer, no Python per posting.
    postings = np.frombuffer(
        b"".join(bytes(r[1]) for r in rows), dtype=np.dtype([("id", ">i8"), ("cls", ">i4")])
    )
    lengths = [len(r[1]) // postings.itemsize for r in rows]
    return TextDelta(
        lexemes=[r[0].encode() for r in rows],
        lexeme_of=np.repeat(np.arange(len(rows), dtype=np.int64), lengths),
        model_ids=postings["id"].astype(np.int64),
        classes=postings["cls"].astype(np.int32),
        name_ids=np.array([r[0] for r in names], dtype=np.int64),
        name_hashes=np.array([r[1] for r in names], dtype=np.int64),
    )


# Past this many rows, the overlay of a layered index is folded into its main postings
# (`fold`, in the background): each search token reads the overlay besides the main
# postings and zeroes the stale rows, a cost that grows with the overlay.
OVERLAY_MAX_ROWS = 100_000


@dataclass(slots=True)
class _NewPostings:
    """Postings to merge into an index: per posting its lexeme's position in `lexemes`
    (sorted bytewise), its row (in the merged index's numbering) and weight class."""

    lexemes: list[bytes]
    lexeme_of: np.ndarray
    rows: np.ndarray
    classes: np.ndarray


def patch_text(old: TextIndex, plan: RowPlan, delta: TextDelta) -> TextIndex:
    """`old` with the changed rows' postings and names replaced by `delta`'s.

    Layered: the changed rows' postings go to the overlay and the main postings are
    kept as they are (a patch then writes what changed, not the whole postings array).
    When rows are renumbered every posting moves anyway: the overlay is folded in and
    the patch merged into the main postings (also past four times `OVERLAY_MAX_ROWS`).
    """
    changed = plan.rows_of(delta.name_ids)  # every changed model still in the catalog
    name_hash = plan.spread(old.name_hash, 0)
    name_hash[changed] = delta.name_hashes
    new = _NewPostings(delta.lexemes, delta.lexeme_of, plan.rows_of(delta.model_ids), delta.classes)
    # Past the hard limit (writes so steady that no background fold could finish
    # between patches), this patch folds.
    if plan.old_to_new is not None or old.overlaid_rows > 4 * OVERLAY_MAX_ROWS:
        base = fold(old)
        terms, offsets, postings = _merge(base, plan.changed_old, plan.old_to_new, new)
        return TextIndex(terms, offsets, postings, name_hash)
    overlay = old.overlay if old.overlay is not None else _empty()
    terms, offsets, postings = _merge(overlay, plan.changed_old, None, new)
    stale = changed if old.stale is None else np.union1d(old.stale, changed)
    layered = TextIndex(terms, offsets, postings, np.zeros(0, dtype=np.int64))
    return TextIndex(
        old.terms, old.offsets, old.postings, name_hash, stale.astype(np.int32), layered
    )


def fold(index: TextIndex) -> TextIndex:
    """A layered index with its overlay merged into the main postings (the same rows
    match the same searches): one pass over the postings, seconds at millions of models."""
    if index.overlay is None or index.stale is None:
        return index
    stale = np.zeros(len(index.name_hash), dtype=bool)
    stale[index.stale] = True
    overlay = index.overlay
    new = _NewPostings(
        [overlay.terms[i] for i in range(len(overlay.terms))],
        np.repeat(np.arange(len(overlay.terms), dtype=np.int64), np.diff(overlay.offsets)),
        (overlay.postings >> 2).astype(np.int64),
        (overlay.postings & 3).astype(np.int32),
    )
    terms, offsets, postings = _merge(index, stale, None, new)
    return TextIndex(terms, offsets, postings, index.name_hash)


def _empty() -> TextIndex:
    """An index with no terms (the overlay before the first patch)."""
    no_terms = Terms(np.zeros(0, dtype=np.uint8), np.zeros(1, dtype=np.int32))
    return TextIndex(
        no_terms, np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0, np.int64)
    )


def needs_fold(index: TextIndex) -> bool:
    """Whether the overlay has outgrown its keep (`OVERLAY_MAX_ROWS`, or a twentieth of
    the rows in a smaller catalog, where folding takes moments)."""
    return index.overlaid_rows > min(OVERLAY_MAX_ROWS, len(index.name_hash) // 20)


def _merge(
    old: TextIndex, drop: np.ndarray, old_to_new: np.ndarray | None, new: _NewPostings
) -> tuple[Terms, np.ndarray, np.ndarray]:
    """`old`'s main postings without the rows `drop` marks (renumbered), with `new`'s."""
    kept, counts = _kept_postings(old, drop, old_to_new)
    terms, old_to_new_term, lexeme_terms = _merge_terms(old.terms, new.lexemes)
    n_terms = len(terms)
    kept_counts = np.zeros(n_terms, dtype=np.int64)
    kept_counts[old_to_new_term] = counts
    kept_offsets = np.concatenate(([0], np.cumsum(kept_counts)))
    term_ids, packed = _best_new_postings(lexeme_terms[new.lexeme_of], new.rows, new.classes)
    # Each new posting goes at the end of its term's kept run.
    postings = np.insert(kept, kept_offsets[term_ids + 1], packed)
    added = np.bincount(term_ids, minlength=n_terms)
    return terms, narrow(kept_offsets + np.concatenate(([0], np.cumsum(added)))), postings


def _best_new_postings(
    term_ids: np.ndarray, rows: np.ndarray, classes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """New postings by term, one per term and row with its best class (as
    `best_postings` leaves a built index): their term ids and packed postings."""
    order = np.lexsort((-classes, rows, term_ids))
    term_ids, rows = term_ids[order], rows[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (term_ids[1:] != term_ids[:-1]) | (rows[1:] != rows[:-1])
    packed = (rows * 4 + classes[order]).astype(np.int32)
    return term_ids[first], packed[first]


def _kept_postings(
    old: TextIndex, drop: np.ndarray, old_to_new: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """The postings of rows not dropped (renumbered) and how many each term keeps."""
    # Looked up by the packed posting itself: no shifted copy of every posting.
    dropped = np.repeat(drop, 4)[old.postings]
    dropped_at = np.flatnonzero(dropped)
    terms_of_dropped = np.searchsorted(old.offsets, dropped_at, side="right") - 1
    counts = np.diff(old.offsets) - np.bincount(terms_of_dropped, minlength=len(old.terms))
    kept = old.postings[~dropped] if len(dropped_at) else old.postings
    if old_to_new is not None:
        rows = old_to_new[kept >> 2].astype(np.int32)
        kept = rows * 4 + (kept & 3)
    return kept, counts


def _merge_terms(terms: Terms, lexemes: list[bytes]) -> tuple[Terms, np.ndarray, np.ndarray]:
    """The dictionary with `lexemes` (sorted) merged in; old term id -> new term id; and
    each lexeme's new term id."""
    n_old = len(terms)
    keys = np.array([prefix_key(lexeme) for lexeme in lexemes], dtype=np.uint64)
    # Terms sharing a lexeme's prefix key are few: bisect only among those.
    lows, highs = key_ranges(terms, keys)
    at = [
        bisect.bisect_left(terms, x, lo, hi)
        for x, lo, hi in zip(lexemes, lows.tolist(), highs.tolist(), strict=True)
    ]
    absent = [i for i, pos in enumerate(at) if pos >= n_old or terms[pos] != lexemes[i]]
    inserts = np.array([at[i] for i in absent], dtype=np.int64)
    old_to_new = np.arange(n_old, dtype=np.int64) + np.searchsorted(
        inserts, np.arange(n_old), side="right"
    )
    found = np.array(at, dtype=np.int64)
    lexeme_terms = found + np.searchsorted(inserts, found, side="right")
    # A lexeme new to the dictionary lands before the old term at its insertion point,
    # after the new lexemes inserted at the same point before it.
    lexeme_terms[absent] = inserts + np.arange(len(absent))
    if not absent:
        return terms, old_to_new, lexeme_terms
    new_words = [lexemes[i] for i in absent]
    new_lengths = np.fromiter(map(len, new_words), dtype=np.int64, count=len(new_words))
    lengths = np.insert(np.diff(terms.offsets), inserts, new_lengths)
    blob = np.insert(
        terms.blob,
        np.repeat(terms.offsets[inserts], new_lengths),
        np.frombuffer(b"".join(new_words), dtype=np.uint8),
    )
    merged = Terms(
        blob,
        narrow(np.concatenate(([0], np.cumsum(lengths)))),
    )
    return merged, old_to_new, lexeme_terms
