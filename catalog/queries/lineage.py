"""Lineage queries: parents, children, and ancestors/descendants at any depth.

The lineage graph comes from hub metadata and may contain cycles (a model that names
itself, or two models naming each other); every walk here is cycle-safe.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT
from sqlalchemy.orm import Session

from catalog.models import Model, ModelLineage, Platform
from catalog.queries.detail import any_id, ids_param

MAX_DEPTH = 50

_DESCENDANT_IDS = text(
    """
    WITH RECURSIVE d(id) AS (
        SELECT child_id FROM model_lineage WHERE parent_id = :root
        UNION  -- UNION (not ALL) drops rows already seen, so a cycle ends the walk
        SELECT l.child_id FROM model_lineage l JOIN d ON l.parent_id = d.id
    )
    SELECT id FROM d WHERE id <> :root
    """
)

# One walk for many roots. `path` holds the models visited from the root, so a cycle
# stops; the shortest depth at which a model is reached wins.
_WALK = """
    WITH RECURSIVE w(root, id, depth, relation, via, path) AS (
        SELECT l.{near}, l.{far}, 1, l.relation, l.{near}, ARRAY[l.{near}, l.{far}]
        FROM model_lineage l
        WHERE l.{near} = ANY(:roots) AND l.{far} IS NOT NULL AND l.{far} <> l.{near}
        UNION ALL
        SELECT w.root, l.{far}, w.depth + 1, l.relation, l.{near}, w.path || l.{far}
        FROM w JOIN model_lineage l ON l.{near} = w.id
        WHERE l.{far} IS NOT NULL AND NOT l.{far} = ANY(w.path) AND w.depth < :max_depth
    )
    SELECT DISTINCT ON (root, id) root, id, depth, relation, via
    FROM w ORDER BY root, id, depth, via
"""
_ANCESTORS = text(_WALK.format(near="child_id", far="parent_id")).bindparams(
    bindparam("roots", type_=ARRAY(BIGINT))
)
_DESCENDANTS = text(_WALK.format(near="parent_id", far="child_id")).bindparams(
    bindparam("roots", type_=ARRAY(BIGINT))
)

# The most downloaded live children of a model (`{parent}`), not already on the path.
_TOP_CHILDREN = """
    SELECT l.child_id, l.relation FROM model_lineage l JOIN models m ON m.id = l.child_id
    WHERE l.parent_id = {parent} AND m.removed_at IS NULL AND NOT l.child_id = ANY({path})
    ORDER BY m.downloads DESC NULLS LAST, m.id LIMIT {first}
"""
_LIVE_CHILDREN = """
    SELECT count(*) FROM model_lineage l JOIN models m ON m.id = l.child_id
    WHERE l.parent_id = {parent} AND m.removed_at IS NULL AND NOT l.child_id = ANY({path})
"""
_ROOT = "CAST(:root AS bigint)"  # one type in both terms of the recursion
_FIRST = _TOP_CHILDREN.format(parent=_ROOT, path=f"ARRAY[{_ROOT}]", first=":first_root")
_NEXT = _TOP_CHILDREN.format(parent="t.id", path="t.path", first=":first_each")
# Breadth first: PostgreSQL evaluates a recursive query only as far as the outer LIMIT
# reads, so a model with a million descendants costs no more than one with a hundred.
_TREE = text(
    f"""
    WITH RECURSIVE t(id, parent, depth, relation, path) AS (
        SELECT c.child_id, {_ROOT}, 1, c.relation, ARRAY[{_ROOT}, c.child_id]
        FROM ({_FIRST}) c
        UNION ALL
        SELECT c.child_id, t.id, t.depth + 1, c.relation, t.path || c.child_id
        FROM t CROSS JOIN LATERAL ({_NEXT}) c
        WHERE t.depth < :max_depth
    )
    SELECT t.id, t.parent, t.depth, t.relation,
           ({_LIVE_CHILDREN.format(parent="t.id", path="t.path")}),
           ({_LIVE_CHILDREN.format(parent=_ROOT, path=f"ARRAY[{_ROOT}]")})
    FROM t LIMIT :max_nodes
    """
)


@dataclass(frozen=True, slots=True)
class LineageStep:
    """A model reached from a root by walking lineage edges.

    Attributes:
        model_id: The model reached.
        depth: Edges between the root and it (1 = direct parent or child).
        relation: Relation of the last edge walked (finetune, adapter, ...).
        via_id: The model on the other end of that last edge.
    """

    model_id: int
    depth: int
    relation: str
    via_id: int


@dataclass(frozen=True, slots=True)
class ParentEdge:
    """A direct parent of a model; `parent_id` is None until the parent is harvested."""

    child_id: int
    parent_id: int | None
    parent_platform: str
    parent_external_id: str
    relation: str

    @property
    def parent_ref(self) -> str:
        """`<platform>:<externalId>` of the parent."""
        return f"{self.parent_platform}:{self.parent_external_id}"


def descendant_ids(session: Session, model_id: int) -> set[int]:
    """Every model derived from `model_id`, at any depth (cycle-safe)."""
    return set(session.execute(_DESCENDANT_IDS, {"root": model_id}).scalars())


def walk(
    session: Session, roots: Sequence[int], *, up: bool, max_depth: int = MAX_DEPTH
) -> dict[int, list[LineageStep]]:
    """Ancestors (`up`) or descendants of several models in one statement.

    Returns:
        Root id -> steps ordered by depth, then model id.
    """
    stmt = _ANCESTORS if up else _DESCENDANTS
    rows = session.execute(stmt, {"roots": list(roots), "max_depth": max_depth})
    found: dict[int, list[LineageStep]] = defaultdict(list)
    for root, model_id, depth, relation, via in rows:
        if model_id != root:
            found[root].append(LineageStep(model_id, depth, relation, via))
    for steps in found.values():
        steps.sort(key=lambda s: (s.depth, s.model_id))
    return found


def parent_edges(session: Session, child_ids: Sequence[int]) -> dict[int, list[ParentEdge]]:
    """Direct parents of several models (resolved or not), by child id."""
    stmt = (
        select(
            ModelLineage.child_id,
            ModelLineage.parent_id,
            Platform.slug,
            ModelLineage.parent_external_id,
            ModelLineage.relation,
        )
        .join(Platform, Platform.id == ModelLineage.parent_platform_id)
        .where(any_id(ModelLineage.child_id, child_ids))
        .order_by(ModelLineage.child_id, ModelLineage.id)
    )
    found: dict[int, list[ParentEdge]] = defaultdict(list)
    for row in session.execute(stmt).tuples():
        found[row[0]].append(ParentEdge(*row))
    return found


@dataclass(frozen=True, slots=True)
class ChildPage:
    """The first direct children of a model and how many there are."""

    child_ids: list[int]
    total: int


def _children_select(of_relation: bool) -> Any:
    """The first children of the parents `:ids` (of `:relation`), `:first` per parent."""
    conditions: list[ColumnElement[bool]] = [
        ModelLineage.parent_id == any_(ids_param()),
        Model.removed_at.is_(None),
    ]
    if of_relation:
        conditions.append(ModelLineage.relation == bindparam("relation"))
    ranked = (
        select(
            ModelLineage.parent_id,
            ModelLineage.child_id,
            func.row_number()
            .over(
                partition_by=ModelLineage.parent_id,
                order_by=(Model.downloads.desc().nulls_last(), Model.id),
            )
            .label("n"),
            func.count().over(partition_by=ModelLineage.parent_id).label("total"),
        )
        .join(Model, Model.id == ModelLineage.child_id)
        .where(*conditions)
        .subquery()
    )
    return (
        select(ranked.c.parent_id, ranked.c.child_id, ranked.c.total, ranked.c.n)
        .where(ranked.c.n <= bindparam("first"))
        .order_by(ranked.c.parent_id, ranked.c.n)
    )


# Built once: constructing this SELECT took longer than running it (a model page's).
_CHILDREN = {of_relation: _children_select(of_relation) for of_relation in (False, True)}


def children(
    session: Session, parent_ids: Sequence[int], relation: str | None, first: int
) -> dict[int, ChildPage]:
    """Direct children of several models, most downloaded first, `first` per parent."""
    params = {"ids": sorted(set(parent_ids)), "relation": relation, "first": max(first, 1)}
    rows = session.connection().execute(_CHILDREN[relation is not None], params)
    pages = {pid: ChildPage([], 0) for pid in parent_ids}
    for parent_id, child_id, total, n in rows.tuples():
        kept = pages[parent_id].child_ids
        if n <= first:
            kept.append(child_id)
        pages[parent_id] = ChildPage(kept, total)
    return pages


def child_ids(session: Session, parent_id: int, relation: str | None) -> set[int]:
    """Every direct child of a model (optionally of one relation)."""
    stmt = select(ModelLineage.child_id).where(ModelLineage.parent_id == parent_id)
    if relation is not None:
        stmt = stmt.where(ModelLineage.relation == relation)
    return set(session.execute(stmt).scalars())


@dataclass(frozen=True, slots=True)
class TreeEdge:
    """A derivative in a bounded descendant tree.

    Attributes:
        child_id: The derivative.
        parent_id: The model it derives from (the root or another tree node).
        depth: Edges from the root.
        relation: How the child derives from the parent.
        children: Live direct derivatives of the child in all, shown or not (those
            that lead back along the path to the root are not counted).
    """

    child_id: int
    parent_id: int
    depth: int
    relation: str
    children: int


@dataclass(frozen=True, slots=True)
class DescendantTree:
    """The most downloaded derivatives of a model, level by level, within a size bound."""

    edges: list[TreeEdge]
    children: int
    truncated: bool


def descendant_tree(
    session: Session,
    root: int,
    *,
    first_root: int = 20,
    first_each: int = 6,
    max_nodes: int = 120,
    max_depth: int = MAX_DEPTH,
) -> DescendantTree:
    """Derivatives of `root` for display: its `first_root` most downloaded children, their
    `first_each` most downloaded children, and so on, at most `max_nodes` in all, in one
    statement. A model reached twice (two parents in the tree, or a cycle) shows once.

    Returns:
        The edges breadth first, the root's live direct derivatives in all, and whether
        any derivative was left out.
    """
    params = {
        "root": root,
        "first_root": first_root,
        "first_each": first_each,
        "max_nodes": max_nodes + 1,  # one more tells whether the tree was cut
        "max_depth": max_depth,
    }
    rows = session.execute(_TREE, params).tuples().all()
    edges: list[TreeEdge] = []
    seen = {root}
    for child, parent, depth, relation, count, _ in rows[:max_nodes]:
        if child not in seen:
            seen.add(child)
            edges.append(TreeEdge(child, parent, depth, relation, int(count)))
    shown: dict[int, int] = defaultdict(int)
    for edge in edges:
        shown[edge.parent_id] += 1
    root_children = int(rows[0][5]) if rows else 0
    cut = (
        len(rows) > max_nodes
        or root_children > shown[root]
        or any(e.children > shown[e.child_id] for e in edges)
    )
    return DescendantTree(edges, root_children, cut)
