"""Apply a `Delta` to a `FacetIndex`: the index of the catalog as the delta read it.

Pure numpy over the old index's arrays (which may be read-only mappings of a shared
snapshot: nothing is written in place). New models usually have the highest ids and are
appended; a model committed late with a lower id renumbers the rows after it, which
every row-valued array (pairs, postings) follows. The lazily computed arrays are left
out: they are computed again on first use, or by `warm`.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from catalog.queries import bitsets
from catalog.queries.dimensions import DIMENSIONS
from catalog.queries.facet_engine import patched_order
from catalog.queries.facet_index import (
    NUMBER_COLUMNS,
    SINGLE_FIELDS,
    FacetIndex,
    MultiValued,
    Vocabulary,
    bucket_codes,
    code_type,
)
from catalog.queries.index_delta import Delta
from catalog.queries.row_plan import RowPlan
from catalog.queries.text_patch import patch_text


def apply_delta(base: FacetIndex, delta: Delta) -> FacetIndex:
    """`base` patched with the changed models of `delta` (vocabularies replaced)."""
    unchanged = all(delta.vocab[name] is vocab for name, vocab in base.vocab.items())
    if not len(delta.changed) and unchanged:
        # Only the version moved (table statistics catch up late): the same arrays, so a
        # shared snapshot links every file and keeps the warmed ones.
        return dataclasses.replace(
            base,
            version=delta.version,
            snapshot=delta.snapshot,
            snapshot_time=delta.snapshot_time,
            derived=dict(base.derived),
            sort_orders=dict(base.sort_orders),
        )
    plan = plan_rows(base, delta)
    found = delta.columns[0] if delta.columns else np.zeros(0, dtype=np.int64)
    rows = plan.rows_of(found)

    def column(old: np.ndarray, new: np.ndarray, fill: object) -> np.ndarray:
        out = plan.spread(old, fill)
        if len(rows):
            out[rows] = new.astype(old.dtype)
        return out

    none = np.zeros(0)
    cols: list[np.ndarray] = list(delta.columns) or [none] * (7 + len(NUMBER_COLUMNS))
    single = {
        name: column(base.single[name], cols[1 + i], 0) for i, name in enumerate(SINGLE_FIELDS)
    }
    numbers = {
        name: base.numbers[name].patched(plan, rows, cols[7 + i])
        for i, name in enumerate(NUMBER_COLUMNS)
    }
    multi = {
        name: _patch_multi(old, plan, *delta.multi[name], delta.vocab[name].size)
        for name, old in base.multi.items()
    }
    text = None
    if base.text is not None and delta.text is not None:
        text = patch_text(base.text, plan, delta.text)
    derived = {
        f"rows:{name}": grouped
        for name in multi
        if (grouped := _patch_by_row(base, plan, delta, name)) is not None
    }
    patched = FacetIndex(
        version=delta.version,
        ids=plan.ids,
        removed=column(base.removed, cols[5], True),
        nsfw=column(base.nsfw, cols[6], False),
        single=single,
        numbers=numbers,
        multi=multi,
        vocab=delta.vocab,
        text=text,
        snapshot=delta.snapshot,
        snapshot_time=delta.snapshot_time,
        database=base.database,
        derived=derived,
    )
    _carry_bitsets(base, patched, plan, delta)
    if plan.old_to_new is None:
        touched = np.union1d(np.flatnonzero(plan.changed_old), rows)
        for token, old in base.sort_orders.items():
            patched_order(patched, token, old, plan.changed_old, touched)
    return patched


def _carry_bitsets(base: FacetIndex, patched: FacetIndex, plan: RowPlan, delta: Delta) -> None:
    """The base's value bitsets patched for the changed and new rows only (computing
    them afresh takes a pass over every model's values per field: 0.5 s at 3M). Left to
    be computed again when rows were renumbered or a vocabulary value changed."""
    if plan.old_to_new is not None:
        return
    found = delta.columns[0] if delta.columns else np.zeros(0, dtype=np.int64)
    touched = np.concatenate((np.flatnonzero(plan.changed_old), plan.rows_of(found)))
    for key in [k for k in base.derived if k.startswith("bits:")]:
        field = key.removeprefix("bits:")
        old_vocab, vocab = base.vocab[field], patched.vocab[field]
        remap = None if vocab is old_vocab else _code_remap(old_vocab, vocab)
        if len(vocab.values) > bitsets.MAX_CODES or (vocab is not old_vocab and remap is None):
            continue
        if DIMENSIONS[field].multi:
            model_ids, values = delta.multi[field]
            pairs = (plan.rows_of(model_ids), vocab.code_of[values])
        else:
            pairs = (touched, bucket_codes(patched, field)[touched].astype(np.int64) - 1)
        shape = (len(vocab.values), patched.size)
        patched.derived[key] = bitsets.carried(base.derived[key], remap, shape, touched, pairs)


def plan_rows(base: FacetIndex, delta: Delta) -> RowPlan:
    """The patched index's ids, and where the old rows go."""
    found = delta.columns[0] if delta.columns else np.zeros(0, dtype=np.int64)
    added = found[~base.locate(found)[1]] if len(found) else found
    changed_old = np.zeros(base.size, dtype=bool)
    changed_old[base.rows_of(delta.changed)] = True
    if not len(added):
        return RowPlan(base.ids, None, changed_old)
    if not base.size or added[0] > base.ids[-1]:  # the usual case: new ids are the highest
        return RowPlan(np.concatenate((base.ids, added)), None, changed_old)
    ids = np.insert(base.ids, np.searchsorted(base.ids, added), added)
    return RowPlan(ids, np.searchsorted(ids, base.ids), changed_old)


def _patch_multi(
    old: MultiValued,
    plan: RowPlan,
    model_ids: np.ndarray,
    values: np.ndarray,
    vocab_size: int,
) -> MultiValued:
    """Pairs of unchanged rows kept (renumbered), the changed rows' pairs merged in, still
    ordered by value then row."""
    keep = ~plan.changed_old[old.rows]
    if not len(model_ids) and plan.old_to_new is None and keep.all():
        if len(old.offsets) == vocab_size + 1:
            return old  # untouched: a shared snapshot links its files instead of copying
        if len(old.offsets) < vocab_size + 1:  # values no row has yet: empty ranges
            grown = np.full(vocab_size + 1 - len(old.offsets), old.offsets[-1])
            return MultiValued(old.rows, np.concatenate((old.offsets, grown)).astype(np.int64))
    rows = old.rows[keep]
    if plan.old_to_new is not None:
        rows = plan.old_to_new[rows].astype(np.int32)
    # Each value's range loses its dropped pairs (no value id per pair is needed).
    dropped = np.bincount(old.value_at(np.flatnonzero(~keep)), minlength=len(old.offsets) - 1)
    offsets = old.offsets - np.concatenate(([0], np.cumsum(dropped)))
    if len(offsets) < vocab_size + 1:  # values no row had: empty ranges
        offsets = np.concatenate((offsets, np.full(vocab_size + 1 - len(offsets), offsets[-1])))
    offsets = offsets[: vocab_size + 1]
    new_rows = plan.rows_of(model_ids).astype(np.int32)
    new_vals = values.astype(np.int64)
    order = np.lexsort((new_rows, new_vals))
    new_rows, new_vals = new_rows[order], new_vals[order]
    at = _insert_points(rows, offsets, new_rows, new_vals)
    rows = np.insert(rows[: offsets[-1]], at, new_rows)
    added = np.bincount(new_vals, minlength=vocab_size)
    return MultiValued(rows=rows, offsets=offsets + np.concatenate(([0], np.cumsum(added))))


def _insert_points(
    rows: np.ndarray, offsets: np.ndarray, new_rows: np.ndarray, new_values: np.ndarray
) -> np.ndarray:
    """Where pairs (sorted by value, then row) go among the kept ones: in their value's
    range, in row order. One search per distinct value, over that value's rows only."""
    at = np.empty(len(new_rows), dtype=np.int64)
    if not len(new_rows):
        return at
    starts = np.flatnonzero(np.diff(new_values, prepend=-1))
    stops = np.append(starts[1:], len(new_rows))
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        value = int(new_values[start])
        lo, hi = int(offsets[value]), int(offsets[value + 1])
        at[start:stop] = lo + np.searchsorted(rows[lo:hi], new_rows[start:stop])
    return at


def _patch_by_row(
    base: FacetIndex, plan: RowPlan, delta: Delta, name: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """A multi-valued facet's bucket codes grouped by row (`facet_engine._by_row`), from
    the base's: unchanged rows keep their entries (their codes renumbered if the
    vocabulary grew), changed and new rows get the delta's. None when the base has none
    or a value of the vocabulary changed: computed again on first use."""
    old = base.derived.get(f"rows:{name}")
    vocab = delta.vocab[name]
    remap = None if vocab is base.vocab[name] else _code_remap(base.vocab[name], vocab)
    if old is None or (remap is None and vocab is not base.vocab[name]):
        return None
    old_codes, old_offsets = old
    if old_codes.dtype != code_type(vocab):  # the vocabulary outgrew two-byte codes
        return None
    model_ids, values = delta.multi[name]
    rows = plan.rows_of(model_ids)
    old_counts = np.diff(old_offsets)
    counts = plan.spread(np.where(plan.changed_old, 0, old_counts), 0)
    counts += np.bincount(rows, minlength=plan.size).astype(counts.dtype)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int32)
    order = np.lexsort((values, rows))  # by row, then value: as `_by_row` groups them
    new_codes = (vocab.code_of[values[order]] + 1).astype(old_codes.dtype)
    if plan.old_to_new is None:
        codes = _replace_row_entries(
            old_codes, old_offsets, plan, rows[order], new_codes, remap=remap
        )
        return codes, offsets
    codes = np.empty(int(offsets[-1]), dtype=old_codes.dtype)
    kept_rows = ~plan.spread(plan.changed_old, True)  # new rows come from the delta too
    kept = np.repeat(kept_rows, counts)
    kept_codes = old_codes[np.repeat(~plan.changed_old, old_counts)]
    codes[kept] = kept_codes if remap is None else remap[kept_codes]
    codes[~kept] = new_codes
    return codes, offsets


def _replace_row_entries(
    old_codes: np.ndarray,
    old_offsets: np.ndarray,
    plan: RowPlan,
    rows: np.ndarray,
    new_codes: np.ndarray,
    *,
    remap: np.ndarray | None,
) -> np.ndarray:
    """Rows-grouped entries with the changed rows' entries replaced by `new_codes` (of
    `rows`, ascending), rows not renumbered, the kept ones' codes remapped: a delete and
    an insert at the changed rows only, where marking every entry kept or not took two
    passes over all of them."""
    changed = np.flatnonzero(plan.changed_old)
    starts, lengths = old_offsets[changed], np.diff(old_offsets)[changed]
    dropped = np.cumsum(lengths) - lengths  # entries dropped before each changed row
    at = np.repeat(starts - dropped, lengths) + np.arange(int(lengths.sum()))
    kept = np.delete(old_codes, at)
    if remap is not None:
        kept = remap[kept].astype(old_codes.dtype)
    # A row's entries go where its old ones were (new rows: at the end), less the
    # entries dropped before it.
    n_old = len(old_offsets) - 1
    before = np.concatenate(([0], np.cumsum(lengths)))[np.searchsorted(changed, rows)]
    return np.insert(kept, old_offsets[np.minimum(rows, n_old)] - before, new_codes)


def _code_remap(old: Vocabulary, new: Vocabulary) -> np.ndarray | None:
    """Old bucket code + 1 -> new bucket code + 1, when every id of the old vocabulary
    keeps its value in the new one (values added, none changed); else None."""
    ids = np.flatnonzero(old.code_of >= 0)
    if len(new.code_of) < len(old.code_of):
        return None
    new_codes = new.code_of[ids]
    if (new_codes < 0).any():
        return None
    old_codes = old.code_of[ids]
    pairs = zip(new_codes.tolist(), old_codes.tolist(), strict=True)
    if any(new.values[n] != old.values[o] for n, o in pairs):
        return None
    remap = np.zeros(len(old.values) + 1, dtype=np.int32)
    remap[old_codes + 1] = new_codes + 1
    return remap
