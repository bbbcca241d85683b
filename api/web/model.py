"""The model page's data: the model, its lineage up and down as trees, its family with
the same release on other hubs, its history, the harvest run that last saw it, and its
derived layer (usage with evidence, memory, licenses, provenance): ten statements,
whatever the lineage."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from api.web.derived import DerivedView, derived_view
from catalog.queries import derived as dq
from catalog.queries import detail, lineage, status
from catalog.queries import families as fq
from catalog.queries.detail import MetricPoint, ModelDetail, ModelRow
from catalog.queries.families import ModelFamilyInfo
from catalog.queries.index_cache import FacetIndexCache
from catalog.queries.lineage import DescendantTree, LineageStep, TreeEdge
from catalog.queries.status import Sighting

MAX_TREE = 120  # descendants shown; the rest are one search away (derived_from)
FIRST_CHILDREN = 20  # direct children of the model itself
NEXT_CHILDREN = 6  # children of each deeper node
MAX_POINTS = 2000  # history points charted
SAME_AS = 20  # the same release on other hubs, most downloaded first


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
class SameRelease:
    """Another model of the same release (another hub or format), and how it was found."""

    ref: str
    name: str
    platform_name: str
    formats: list[str]
    method: str
    confidence: float


@dataclass(frozen=True, slots=True)
class ModelPage:
    """What the model page shows.

    Attributes:
        family: The model's family with its evidence and path (None when unknown).
        same_as: The same release on other hubs and in other formats.
        derived: What it is good for, what its weights take, its licenses and where
            every field came from.
    """

    row: ModelRow
    detail: ModelDetail
    ancestors: list[TreeNode]
    descendants: list[TreeNode]
    children_total: int
    truncated: bool
    metrics: list[MetricPoint]
    sighting: Sighting | None
    family: ModelFamilyInfo | None
    same_as: list[SameRelease]
    derived: DerivedView


def gather_model(session: Session, cache: FacetIndexCache | None, ref: str) -> ModelPage | None:
    """Everything the page shows about `ref`; None when the catalog has no such model.

    Raises:
        QueryError: the ref is malformed.
    """
    row = detail.models_by_refs(session, [ref]).get(ref)
    if row is None:
        return None
    steps = lineage.walk(session, [row.id], up=True).get(row.id, [])
    down = lineage.descendant_tree(
        session, row.id, first_root=FIRST_CHILDREN, first_each=NEXT_CHILDREN, max_nodes=MAX_TREE
    )
    same = fq.same_as(session, [row.id], SAME_AS).get(row.id, [])
    details = detail.details_by_ids(
        session, [row.id, *(s.model_id for s in steps), *(s.model_id for s in same)]
    )
    names = detail.models_by_ids(
        session,
        [s.model_id for s in steps] + [e.child_id for e in down.edges] + [s.model_id for s in same],
    )
    metrics = detail.metrics_by_model(session, [row.id], None).get(row.id, [])
    own = details.get(row.id) or ModelDetail({}, [], [])
    derived = dq.derived_by_ids(session, [row.id]).get(row.id)
    return ModelPage(
        row=row,
        detail=own,
        ancestors=_ancestor_tree(row.id, steps, details, names),
        descendants=_descendant_tree(row.id, down, names),
        children_total=down.children,
        truncated=down.truncated,
        metrics=metrics[-MAX_POINTS:],
        sighting=status.model_sighting(session, row.id),
        family=fq.model_family(session, row.id),
        same_as=_same_releases(same, details, names),
        derived=derived_view(row, own, derived),
    )


def _same_releases(
    same: list[fq.SameAsRow], details: dict[int, ModelDetail], names: dict[int, ModelRow]
) -> list[SameRelease]:
    found = []
    for link in same:
        row = names.get(link.model_id)
        if row is None:
            continue  # removed since
        extra = details.get(link.model_id)
        formats = [f.slug for f in extra.formats] if extra else []
        found.append(
            SameRelease(row.ref, row.name, row.platform_name, formats, link.method, link.confidence)
        )
    return found


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


def _descendant_tree(root: int, tree: DescendantTree, names: dict[int, ModelRow]) -> list[TreeNode]:
    by_parent: dict[int, list[TreeEdge]] = defaultdict(list)
    for edge in tree.edges:
        by_parent[edge.parent_id].append(edge)

    def build(parent: int) -> list[TreeNode]:
        nodes = []
        for edge in by_parent.get(parent, []):
            node = _node(edge.child_id, edge.relation, names)
            node.children = build(edge.child_id)
            node.more = max(0, edge.children - len(node.children))
            nodes.append(node)
        return nodes

    return build(root)
