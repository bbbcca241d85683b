"""A patched facet index equals the index rebuilt from scratch at the same moment."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from catalog import runs
from catalog.models.changes import VOCABULARY_CODES
from catalog.queries import bitsets, index_cache, text_patch
from catalog.queries.facet_engine import _by_row, _global_order, warm
from catalog.queries.facet_index import FacetIndex, MultiValued, build_index
from catalog.queries.filters import SortKey
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.index_delta import Delta, read_delta
from catalog.queries.index_patch import _patch_multi, apply_delta
from catalog.queries.row_plan import RowPlan
from catalog.queries.text_patch import fold
from tests.factories import catalog_records, load, record, remove


def _in_snapshot(engine: Engine, work):  # noqa: ANN001, ANN202
    with engine.connect() as plain:
        conn = plain.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            return work(conn)


def _build(engine: Engine) -> FacetIndex:
    return _in_snapshot(engine, build_index)


def _delta(engine: Engine, base: FacetIndex, parallel: bool = True) -> Delta | None:
    """The delta as the server reads it (on two connections), or on one."""
    return _in_snapshot(engine, lambda conn: read_delta(conn, base, engine if parallel else None))


def _pairs(index: FacetIndex, field: str) -> set[tuple[int, int]]:
    multi = index.multi[field]
    pairs = set(zip(index.ids[multi.rows].tolist(), multi.values.tolist(), strict=True))
    for value in range(len(multi.offsets) - 1):  # offsets delimit each value's rows
        rows = multi.rows_with(value)
        assert set(multi.values[multi.offsets[value] : multi.offsets[value + 1]]) <= {value}
        assert len(rows) == sum(1 for _, v in pairs if v == value)
    return pairs


def _postings(index: FacetIndex) -> dict[bytes, set[tuple[int, int]]]:
    """(model id, class) per term, as searches see them: a layered index's stale rows
    left out of its main postings, its overlay's postings added."""
    assert index.text is not None
    stale = set() if index.text.stale is None else set(index.text.stale.tolist())
    found: dict[bytes, set[tuple[int, int]]] = {}
    layers = [(index.text, stale), (index.text.overlay, set())]
    for layer, hidden in [(t, h) for t, h in layers if t is not None]:
        for term in range(len(layer.terms)):
            packed = layer.postings[layer.offsets[term] : layer.offsets[term + 1]]
            found.setdefault(layer.terms[term], set()).update(
                (int(index.ids[p >> 2]), int(p & 3)) for p in packed if p >> 2 not in hidden
            )
    return {term: rows for term, rows in found.items() if rows}


def assert_same_index(patched: FacetIndex, rebuilt: FacetIndex) -> None:
    """Every array a search reads holds the same values per model (terms no model
    has any more may linger in a patched dictionary: they match nothing)."""
    assert patched.ids.tolist() == rebuilt.ids.tolist()
    assert patched.removed.tolist() == rebuilt.removed.tolist()
    assert patched.nsfw.tolist() == rebuilt.nsfw.tolist()
    for name, column in rebuilt.single.items():
        assert patched.single[name].tolist() == column.tolist(), name
    for name, column in rebuilt.numbers.items():
        np.testing.assert_array_equal(patched.numbers[name].full(), column.full(), err_msg=name)
    for name in rebuilt.multi:
        assert _pairs(patched, name) == _pairs(rebuilt, name), name
    for name, vocab in rebuilt.vocab.items():
        assert patched.vocab[name].values == vocab.values, name
        assert patched.vocab[name].labels == vocab.labels, name
    assert _postings(patched) == _postings(rebuilt)
    assert patched.text is not None
    assert rebuilt.text is not None
    terms = [patched.text.terms[i] for i in range(len(patched.text.terms))]
    assert terms == sorted(terms)  # prefixes stay contiguous ranges
    assert patched.text.name_hash.tolist() == rebuilt.text.name_hash.tolist()


def assert_same_grouping(patched: FacetIndex) -> list[str]:
    """The rows-grouped codes a patch carried over equal ones computed afresh; the fields
    it carried over."""
    carried = [f for f in patched.multi if f"rows:{f}" in patched.derived]
    fresh = dataclasses.replace(patched, derived={}, sort_orders={})
    for field in carried:
        codes, offsets = patched.derived[f"rows:{field}"]
        want_codes, want_offsets = _by_row(fresh, field)
        assert offsets.tolist() == want_offsets.tolist(), field
        assert codes.tolist() == want_codes.tolist(), field
    for key in [k for k in patched.derived if k.startswith("bits:")]:
        field = key.removeprefix("bits:")
        want = bitsets.bitsets(fresh, field)
        assert want is not None
        np.testing.assert_array_equal(patched.derived[key], want, err_msg=field)
        carried.append(key)
    for token, (order, norm) in patched.sort_orders.items():
        want_order, want_norm = _global_order(fresh, SortKey(token[:-1], token.endswith("-")))
        assert order.tolist() == want_order.tolist(), token
        np.testing.assert_array_equal(norm, want_norm, err_msg=token)
        carried.append(f"order:{token}")
    return carried


def test_changed_added_and_removed_models_patch_to_the_rebuilt_index(fresh_engine) -> None:
    records = catalog_records(40)
    with Session(fresh_engine) as session:
        load(session, records)
        session.commit()
    base = _build(fresh_engine)
    warm(base)  # as a shared index is: the patch carries the grouped codes over
    with Session(fresh_engine) as session:
        changed = [
            dataclasses.replace(records[3], tags=("brand-new-tag", "chat"), formats=()),
            dataclasses.replace(records[7], name="Renamed Zebra Model", summary="quokka"),
            dataclasses.replace(records[8], downloads=123_456_789, tasks=("object-detection",)),
        ]
        added = [record(f"new/model-{i}", tags=("edge",), summary="fresh wombat") for i in range(3)]
        load(session, [*changed, *added])
        remove(session, f"{records[11].platform}:{records[11].external_id}")
        session.commit()
    delta = _delta(fresh_engine, base)
    assert delta is not None
    assert len(delta.changed) == len(changed) + len(added) + 1
    patched = apply_delta(base, delta)
    assert patched.size == base.size + 3
    rebuilt = _build(fresh_engine)
    assert_same_index(patched, rebuilt)
    assert patched.text is not None
    assert patched.text.postings is base.text.postings  # layered: the main postings kept
    assert patched.text.overlaid_rows == len(changed) + len(added) + 1
    assert_same_index(dataclasses.replace(patched, text=fold(patched.text)), rebuilt)
    carried = assert_same_grouping(patched)
    assert {"format", "tag"} <= set(carried)  # a new tag value: the others renumbered
    # Value bitsets too, a single-valued field's and a multi-valued one's, and the order
    # of the default sort.
    assert {"bits:format", "bits:task", "bits:platform", "bits:license"} <= set(carried)
    assert "order:downloads-" in carried


def test_an_overlay_past_the_hard_limit_is_folded_by_the_next_patch(
    fresh_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = catalog_records(30)
    with Session(fresh_engine) as session:
        load(session, records)
        session.commit()
    base = _build(fresh_engine)
    for round_no, limit in enumerate((10**6, 0)):  # layered, then folded inline
        monkeypatch.setattr(text_patch, "OVERLAY_MAX_ROWS", limit)
        with Session(fresh_engine) as session:
            load(session, [dataclasses.replace(records[round_no], summary=f"aardvark {round_no}")])
            session.commit()
        delta = _delta(fresh_engine, base)
        assert delta is not None
        base = apply_delta(base, delta)
        assert base.text is not None
    assert base.text.overlay is None
    assert base.text.stale is None
    assert_same_index(base, _build(fresh_engine))


def test_a_lower_id_committed_late_renumbers_the_rows_after_it(fresh_engine) -> None:
    with Session(fresh_engine) as session:
        load(session, catalog_records(12))
        session.commit()
    late, early = Session(fresh_engine), Session(fresh_engine)
    try:
        load(late, [record("slow/writer", tags=("research",), summary="late pangolin")])
        load(early, [record("fast/writer", tags=("vision",))])
        early.commit()
        base = _build(fresh_engine)  # sees fast/writer, not slow/writer's lower id
        warm(base)
        late.commit()
    finally:
        late.close()
        early.close()
    delta = _delta(fresh_engine, base, parallel=False)
    assert delta is not None
    patched = apply_delta(base, delta)
    assert_same_index(patched, _build(fresh_engine))
    assert patched.ids.tolist() == sorted(patched.ids.tolist())
    assert "task" in assert_same_grouping(patched)


def test_nothing_changed_patches_to_the_same_index(fresh_engine) -> None:
    with Session(fresh_engine) as session:
        load(session, catalog_records(10))
        session.commit()
    base = _build(fresh_engine)
    delta = _delta(fresh_engine, base)
    assert delta is not None
    assert len(delta.changed) == 0
    patched = apply_delta(base, delta)
    assert_same_index(patched, base)
    assert patched.ids is base.ids  # nothing copied: a shared snapshot links every file
    assert patched.snapshot == delta.snapshot


def test_bulk_statements_truncates_and_outright_deletes_ask_for_a_rebuild(fresh_engine) -> None:
    with Session(fresh_engine) as session:
        load(session, catalog_records(10))
        session.commit()
    base = _build(fresh_engine)
    with fresh_engine.begin() as conn:
        conn.execute(text("DELETE FROM model_tags WHERE model_id = (SELECT min(id) FROM models)"))
    assert _delta(fresh_engine, base) is not None  # a small change: patched
    with fresh_engine.begin() as conn:
        conn.execute(text("DELETE FROM models WHERE id = (SELECT max(id) FROM models)"))
    assert _delta(fresh_engine, base) is None  # rows would shift: rebuilt
    base = _build(fresh_engine)
    with fresh_engine.begin() as conn:
        conn.execute(text("TRUNCATE model_usages"))
    assert _delta(fresh_engine, base) is None
    base = _build(fresh_engine)
    with fresh_engine.begin() as conn:  # one statement over more than 20,000 models
        conn.execute(text("INSERT INTO index_changes (model_id) VALUES (NULL)"))
    assert _delta(fresh_engine, base) is None


def test_a_finished_harvest_forgets_change_log_rows_older_than_a_day(fresh_engine) -> None:
    with fresh_engine.begin() as conn:
        conn.execute(text("DELETE FROM index_changes"))
        conn.execute(
            text(
                "INSERT INTO index_changes (model_id, logged_at) "
                "VALUES (1, now() - interval '25 hours'), (2, now() - interval '23 hours')"
            )
        )
    with Session(fresh_engine) as session:
        assert runs.prune_index_changes(session) == 1
        session.commit()
    with fresh_engine.connect() as conn:
        kept = conn.execute(text("SELECT model_id FROM index_changes")).scalars().all()
    assert kept == [2]


def test_a_failing_patch_falls_back_to_a_rebuild(
    fresh_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(fresh_engine) as session:
        load(session, catalog_records(10))
        session.commit()
    cache = FacetIndexCache(fresh_engine)
    cache.build_now()
    with Session(fresh_engine) as session:
        load(session, [record("late/arrival", tags=("edge",))])
        session.commit()

    def broken(base: FacetIndex, delta: Delta) -> FacetIndex:
        raise ValueError("a bug in the patch")

    monkeypatch.setattr(index_cache, "apply_delta", broken)
    assert_same_index(cache.build_now(), _build(fresh_engine))


def test_the_vocabulary_codes_the_triggers_log_are_the_ones_the_reader_knows(
    fresh_engine,
) -> None:
    # Migration 0009 holds its own copy of the codes (migrations import no live code).
    with fresh_engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT tgrelid::regclass::text, encode(tgargs, 'escape') FROM pg_trigger "
                "WHERE tgname = 'index_changes_ins'"
            )
        ).all()
    logged = {table: args.split("\\000")[1] for table, args in rows}
    vocabularies = {t: int(code) for t, code in logged.items() if not t.startswith("model")}
    assert vocabularies == VOCABULARY_CODES
    assert {t for t, code in logged.items() if code == "0"} >= {"models", "model_tags"}


def test_a_failing_build_is_retried_after_a_pause_not_at_once(
    fresh_engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = FacetIndexCache(fresh_engine)
    attempts: list[float] = []

    def failing() -> FacetIndex:
        attempts.append(time.monotonic())
        raise OSError("the database went away")

    monkeypatch.setattr(cache, "build_now", failing)
    cache.start_build()
    deadline = time.monotonic() + 10
    while len(attempts) < 1 or cache._building:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    for _ in range(20):  # requests and the watcher keep asking: they wait for the pause
        cache.start_build()
    time.sleep(0.3)
    assert len(attempts) == 1
    time.sleep(1.0)
    cache.start_build()
    deadline = time.monotonic() + 10
    while len(attempts) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)


@pytest.mark.parametrize("seed", range(5))
def test_multi_valued_pairs_patch_to_the_pairs_built_from_scratch(seed: int) -> None:
    """Dropped pairs, renumbered rows (a lower id arriving late), values no row had yet."""
    rng = np.random.default_rng(seed)
    old_ids = np.sort(rng.choice(np.arange(0, 4000, 2), 600, replace=False))
    pairs = set(zip(old_ids.repeat(2).tolist(), rng.integers(0, 30, 1200).tolist(), strict=True))
    changed = rng.choice(old_ids, 80, replace=False)
    arriving = rng.choice(np.arange(1, 4000, 2), 40, replace=False)  # odd: new, in between
    ids = np.union1d(old_ids, arriving)
    plan = RowPlan(ids, np.searchsorted(ids, old_ids), np.isin(old_ids, changed))
    touched = np.concatenate((changed, arriving)).repeat(2).tolist()
    new_pairs = set(zip(touched, rng.integers(0, 35, len(touched)).tolist(), strict=True))
    delta_ids = np.array([m for m, _ in sorted(new_pairs)])
    delta_values = np.array([v for _, v in sorted(new_pairs)])  # up to 35: vocabulary grew

    def multi(pair_set: set[tuple[int, int]], row_ids: np.ndarray, size: int) -> MultiValued:
        by_value = sorted((v, int(np.searchsorted(row_ids, m))) for m, v in pair_set)
        values = np.array([v for v, _ in by_value], dtype=np.int64)
        rows = np.array([r for _, r in by_value], dtype=np.int32)
        return MultiValued(rows, np.searchsorted(values, np.arange(size + 1)).astype(np.int64))

    patched = _patch_multi(multi(pairs, old_ids, 30), plan, delta_ids, delta_values, 35)
    kept = {(m, v) for m, v in pairs if m not in set(changed.tolist())}
    expected = multi(kept | new_pairs, ids, 35)
    np.testing.assert_array_equal(patched.offsets, expected.offsets)
    np.testing.assert_array_equal(patched.rows, expected.rows)
