"""Narrow columns of the facet index: numbers encoded exactly and compared as SQL
compares, bucket codes in two bytes where they fit."""

from __future__ import annotations

import numpy as np

from catalog.queries.facet_index import Vocabulary, code_type
from catalog.queries.number_column import MAX_DISTINCT, NumberColumn
from catalog.queries.row_plan import RowPlan

NAN = np.nan


def test_few_distinct_values_are_coded_in_a_byte_and_decode_exactly() -> None:
    raw = np.array([5.0, NAN, 1e15 + 1, 0.1, 5.0, NAN, -3.0])
    column = NumberColumn.of(raw)
    assert column.codes is not None
    assert column.codes.dtype == np.uint8
    np.testing.assert_array_equal(column.full(), raw)
    np.testing.assert_array_equal(column.take(np.array([2, 1])), [1e15 + 1, NAN])
    assert column.known().tolist() == [True, False, True, True, True, False, True]


def test_many_distinct_values_stay_plain_float64() -> None:
    raw = np.arange(MAX_DISTINCT + 1, dtype=np.float64) + 0.5
    column = NumberColumn.of(raw)
    assert column.codes is None
    assert column.nbytes == raw.nbytes


def test_bounds_match_sql_comparisons_and_no_value_never_matches() -> None:
    raw = np.array([5.0, NAN, 7.0, 0.0, 5.0, 9.5])
    for column in (NumberColumn.of(raw), NumberColumn(raw.copy())):
        for bound in (-1.0, 0.0, 5.0, 6.0, 9.5, 10.0):
            with np.errstate(invalid="ignore"):
                assert column.at_least(bound).tolist() == (raw >= bound).tolist(), bound
                assert column.at_most(bound).tolist() == (raw <= bound).tolist(), bound


def test_a_patch_merges_new_values_into_the_codes_in_order() -> None:
    column = NumberColumn.of(np.array([10.0, 20.0, NAN, 30.0]))
    plan = RowPlan(np.array([1, 2, 3, 4, 5]), None, np.zeros(4, dtype=bool))
    patched = column.patched(plan, np.array([1, 4]), np.array([15.0, 5.0]))
    np.testing.assert_array_equal(patched.full(), [10.0, 15.0, NAN, 30.0, 5.0])
    assert patched.at_least(12.0).tolist() == [False, True, False, True, False]


def test_a_patch_past_two_bytes_of_values_turns_the_column_plain() -> None:
    column = NumberColumn.of(np.arange(1000, dtype=np.float64))
    plan = RowPlan(np.arange(MAX_DISTINCT + 10), None, np.zeros(1000, dtype=bool))
    rows = np.arange(1000, MAX_DISTINCT + 10)
    new = rows.astype(np.float64) + 0.25
    patched = column.patched(plan, rows, new)
    assert patched.codes is None
    np.testing.assert_array_equal(patched.full()[:1000], np.arange(1000))
    np.testing.assert_array_equal(patched.full()[1000:], new)


def test_a_patch_renumbering_rows_keeps_each_models_value() -> None:
    column = NumberColumn.of(np.array([1.0, 2.0, 3.0]))  # ids 10, 20, 30
    ids = np.array([10, 15, 20, 30])  # 15 committed late: rows after it move
    plan = RowPlan(ids, np.array([0, 2, 3]), np.zeros(3, dtype=bool))
    patched = column.patched(plan, np.array([1]), np.array([1.5]))
    np.testing.assert_array_equal(patched.full(), [1.0, 1.5, 2.0, 3.0])


def test_bucket_codes_take_two_bytes_while_every_code_plus_one_fits() -> None:
    def vocab(size: int) -> Vocabulary:
        return Vocabulary(
            np.arange(size), [f"v{i}" for i in range(size)], [None] * size, np.arange(size)
        )

    assert code_type(vocab((1 << 16) - 1)) is np.uint16  # codes + 1 up to 65,535
    assert code_type(vocab(1 << 16)) is np.int32
