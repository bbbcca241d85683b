"""Lineage queries: cycle-safe walks, depth limits, unresolved parents."""

from __future__ import annotations

from catalog.queries import lineage
from catalog.records import LineageRef
from tests.factories import load, record, remove, with_lineage


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


def test_descendant_tree_keeps_the_most_downloaded_within_its_bounds(db_session) -> None:
    # root <- c0..c3 (c0 most downloaded); c0 <- g0, g1; g0 <- root (a cycle); c3 removed.
    records = [record("org/root", downloads=1)]
    records += [record(f"org/c{i}", downloads=100 - i) for i in range(4)]
    records += [record(f"org/g{i}", downloads=50 - i) for i in range(2)]
    edges = [(1, 0, "finetune"), (2, 0, "adapter"), (3, 0, "quantized"), (4, 0, "merge")]
    edges += [(5, 1, "finetune"), (6, 1, "quantized"), (0, 5, "merge")]
    ids = load(db_session, with_lineage(records, edges))
    remove(db_session, "huggingface:org/c3")
    root, c0, c1, c2, g0, g1 = (
        ids[f"huggingface:org/{n}"] for n in ("root", "c0", "c1", "c2", "g0", "g1")
    )
    tree = lineage.descendant_tree(db_session, root)
    assert [(e.child_id, e.parent_id, e.depth, e.relation) for e in tree.edges] == [
        (c0, root, 1, "finetune"),
        (c1, root, 1, "adapter"),
        (c2, root, 1, "quantized"),
        (g0, c0, 2, "finetune"),
        (g1, c0, 2, "quantized"),
    ]
    assert (tree.children, tree.truncated) == (3, False)
    assert {e.child_id: e.children for e in tree.edges}[c0] == 2
    narrow = lineage.descendant_tree(db_session, root, first_root=2, first_each=1)
    assert [e.child_id for e in narrow.edges] == [c0, c1, g0]
    assert (narrow.children, narrow.truncated) == (3, True)
    small = lineage.descendant_tree(db_session, root, max_nodes=2)
    assert ([e.child_id for e in small.edges], small.truncated) == ([c0, c1], True)
