"""Lineage queries: cycle-safe walks, depth limits, unresolved parents."""

from __future__ import annotations

from catalog.queries import lineage
from catalog.records import LineageRef
from tests.factories import load, record, with_lineage


def test_walk_is_cycle_safe_and_honours_max_depth(db_session) -> None:
    records = [record(f"org/{n}") for n in "abcd"]
    # a <- b <- c <- d, plus a self-reference on b and a loop a -> d.
    edges = [
        (1, 0, "finetune"),
        (2, 1, "adapter"),
        (3, 2, "merge"),
        (1, 1, "merge"),
        (0, 3, "merge"),
    ]
    ids = load(db_session, with_lineage(records, edges))
    a, b, c, d = (ids[f"huggingface:org/{n}"] for n in "abcd")
    up = lineage.walk(db_session, [d], up=True)[d]
    assert [(s.model_id, s.depth) for s in up] == [(c, 1), (b, 2), (a, 3)]
    assert [
        (s.model_id, s.depth) for s in lineage.walk(db_session, [d], up=True, max_depth=2)[d]
    ] == [
        (c, 1),
        (b, 2),
    ]
    assert lineage.descendant_ids(db_session, a) == {b, c, d}
    both = lineage.walk(db_session, [a, c], up=False)
    assert [s.model_id for s in both[c]] == [d, a, b]


def test_unresolved_parents_are_kept_by_ref(db_session) -> None:
    child = load(
        db_session,
        [record("org/child", lineage=[LineageRef("huggingface", "org/not-yet", "quantized")])],
    )["huggingface:org/child"]
    (edge,) = lineage.parent_edges(db_session, [child])[child]
    assert (edge.parent_id, edge.parent_ref, edge.relation) == (
        None,
        "huggingface:org/not-yet",
        "quantized",
    )
    parent = load(db_session, [record("org/not-yet")])["huggingface:org/not-yet"]
    (edge,) = lineage.parent_edges(db_session, [child])[child]
    assert edge.parent_id == parent
    assert lineage.children(db_session, [parent], None, 5)[parent].child_ids == [child]
    assert lineage.children(db_session, [parent], "finetune", 5)[parent].total == 0
