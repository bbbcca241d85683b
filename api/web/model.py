"""The model page's data: the model, its lineage up and down as trees, its history and
the harvest run that last saw it (a fixed handful of statements)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from catalog.queries import detail, lineage, status
from catalog.queries.detail import MetricPoint, ModelDetail, ModelRow
from catalog.queries.lineage import LineageStep
from catalog.queries.status import Sighting

MAX_TREE = 120  # descendants shown; the rest are one search away (derived_from)
FIRST_CHILDREN = 20  # direct children of the model itself
NEXT_CHILDREN = 6  # children of each deeper node
MAX_POINTS = 2000  # history points charted


@dataclass(slots=True)
class TreeNode:
    """A model in a lineage tree; `model_id` is None for a parent not (yet) in the catalog.

    Attributes:
        relation: How the lower model of the edge derives from the upper one.
        children: The next level (parents when walking up, derivatives walking down).
        more: Direct derivatives not shown (walking down).
    """

    ref: str
    relation: str
    model_id: int | None = None
    name: str | None = None
    platform_name: str | None = None
    children: list[TreeNode] = field(default_factory=list)
    more: int = 0


@dataclass(frozen=True, slots=True)
class ModelPage:
    """What the model page shows."""

    row: ModelRow
    detail: ModelDetail
    ancestors: list[TreeNode]
    descendants: list[TreeNode]
    children_total: int
    truncated: bool
    metrics: list[MetricPoint]
    sighting: Sighting | None


def gather_model(session: Session, ref: str) -> ModelPage | None:
    """Everything the page shows about `ref`; None when the catalog has no such model.

    Raises:
        QueryError: the ref is malformed.
    """
    row = detail.models_by_refs(session, [ref]).get(ref)
    if row is None:
        return None
    steps = lineage.walk(session, [row.id], up=True).get(row.id, [])
    down = _descendant_levels(session, row.id)
    children = [child for child, _ in down.edges]
    details = detail.details_by_ids(session, [row.id, *(s.model_id for s in steps), *children])
    names = detail.models_by_ids(session, [s.model_id for s in steps] + children)
    metrics = detail.metrics_by_model(session, [row.id], None).get(row.id, [])
    return ModelPage(
        row=row,
        detail=details.get(row.id) or ModelDetail({}, [], []),
        ancestors=_ancestor_tree(row.id, steps, details, names),
        descendants=_descendant_tree(row.id, down, details, names),
        children_total=down.totals.get(row.id, 0),
        truncated=down.truncated,
        metrics=metrics[-MAX_POINTS:],
        sighting=status.model_sighting(session, row.id),
    )


def _node(model_id: int, relation: str, names: dict[int, ModelRow]) -> TreeNode:
    row = names.get(model_id)
    if row is None:  # removed since the walk, or never resolved
        return TreeNode(ref=f"#{model_id}", relation=relation)
    return TreeNode(row.ref, relation, model_id, row.name, row.platform_name)


def _ancestor_tree(
    root: int,
    steps: list[LineageStep],
    details: dict[int, ModelDetail],
    names: dict[int, ModelRow],
) -> list[TreeNode]:
    """Parents of the model, their parents, ...; parents not in the catalog as leaves."""
    by_child: dict[int, list[LineageStep]] = defaultdict(list)
    for step in steps:
        by_child[step.via_id].append(step)

    def parents_of(model_id: int, seen: frozenset[int]) -> list[TreeNode]:
        nodes = []
        for step in by_child.get(model_id, []):
            if step.model_id in seen:
                continue
            node = _node(step.model_id, step.relation, names)
            node.children = parents_of(step.model_id, seen | {step.model_id})
            nodes.append(node)
        extra = details.get(model_id)
        for parent_id, platform, external_id, relation in extra.parents if extra else []:
            if parent_id is None:
                nodes.append(TreeNode(f"{platform}:{external_id}", relation))
        return nodes

    return parents_of(root, frozenset({root}))


@dataclass(slots=True)
class Levels:
    """Derivative edges walked level by level.

    Attributes:
        edges: (child, parent), each child once, most downloaded first per parent.
        totals: Parent -> its direct derivatives in all (for the levels walked).
        truncated: Some derivatives were left out (budget or per-node cut).
    """

    edges: list[tuple[int, int]] = field(default_factory=list)
    totals: dict[int, int] = field(default_factory=dict)
    truncated: bool = False


def _descendant_levels(session: Session, root: int) -> Levels:
    """Derivatives of `root`, one statement per level, within `MAX_TREE` nodes."""
    found = Levels()
    seen = {root}
    level, first = [root], FIRST_CHILDREN
    while level:
        if len(found.edges) >= MAX_TREE:
            found.truncated = True
            break
        pages = lineage.children(session, level, None, first)
        next_level = []
        for parent in level:
            page = pages[parent]
            found.totals[parent] = page.total
            found.truncated = found.truncated or page.total > len(page.child_ids)
            for child in page.child_ids:
                if child in seen:
                    continue  # a cycle, or a model with two parents in the tree
                if len(found.edges) >= MAX_TREE:
                    found.truncated = True
                    break
                seen.add(child)
                found.edges.append((child, parent))
                next_level.append(child)
        level, first = next_level, NEXT_CHILDREN
    return found


def _descendant_tree(
    root: int, down: Levels, details: dict[int, ModelDetail], names: dict[int, ModelRow]
) -> list[TreeNode]:
    by_parent: dict[int, list[int]] = defaultdict(list)
    for child, parent in down.edges:
        by_parent[parent].append(child)

    def relation(child: int, parent: int) -> str:
        extra = details.get(child)
        parents = extra.parents if extra else []
        return next((r for pid, _p, _e, r in parents if pid == parent), "derived")

    def build(parent: int) -> list[TreeNode]:
        nodes = []
        for child in by_parent.get(parent, []):
            node = _node(child, relation(child, parent), names)
            node.children = build(child)
            node.more = max(0, down.totals.get(child, 0) - len(node.children))
            nodes.append(node)
        return nodes

    return build(root)
