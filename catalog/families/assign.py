"""Assign every model its family: own evidence plus what its bases and links say.

The order of evidence, strongest first: a curated pin; the family of the model's bases
(declared lineage, any depth, across hubs); the family of the models and sources its hub
links it to; the architecture its metadata states; its names. A weaker kind never
overrides a stronger one, but it may make it more specific (the architecture says
`resnet`, the name says `resnet-50`: `resnet-50`). Pure: the caller supplies the graph
and, for models outside it, their stored assignments.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from catalog.families.matcher import LINEAGE, LINK, OwnEvidence, Verdict
from catalog.families.vocabulary import Vocabulary

# A family passed down a lineage edge (or across a link) is a little less certain than
# the one it came from.
EDGE_FACTOR = 0.95

K = TypeVar("K", bound=Hashable)
Lookup = Callable[[Any], Verdict | None]


class Edge(NamedTuple):
    """A base model (lineage) or a linked model.

    Attributes:
        target: The target's key when it is in the catalog, else None.
        ref: `<platform>:<externalId>` of the target (for the evidence text).
        fallback: The family the target's id names, used when the target is not in the
            catalog (or has no family yet).
    """

    target: Any
    ref: str
    fallback: Verdict | None = None


class Node(NamedTuple):
    """One model to assign: its own evidence and its edges; `tasks` (its canonical task
    slugs) only where bases may disagree (several bases), to tell them apart."""

    own: OwnEvidence
    parents: tuple[Edge, ...] = ()
    links: tuple[Edge, ...] = ()
    tasks: tuple[str, ...] = ()


def assign_all(
    vocab: Vocabulary, nodes: Mapping[K, Node], known: Mapping[K, Verdict | None]
) -> dict[K, Verdict | None]:
    """The family of every node (None: unknown).

    Models without edges are decided by their own evidence (once per distinct evidence:
    callers share equal nodes). The others are taken in dependency order, bases and link
    targets first: the strongly connected components of the edges (Tarjan). In a cycle
    of lineage or links, a family that enters anywhere reaches every member that has no
    evidence of its own, whatever the order; nothing is taken as evidence of itself.

    Args:
        vocab: The family vocabulary.
        nodes: The models to assign, by key.
        known: Stored assignments of edge targets that are not in `nodes`.
    """
    result: dict[K, Verdict | None] = {}

    def lookup(key: Any) -> Verdict | None:
        return result.get(key) if key in nodes else known.get(key)

    by_node: dict[int, Verdict | None] = {}
    linked: dict[K, Node] = {}
    for key, node in nodes.items():
        if node.parents or node.links:
            linked[key] = node
            continue
        if id(node) not in by_node:
            by_node[id(node)] = decide(vocab, node, lookup)
        result[key] = by_node[id(node)]
    shared: dict[Verdict, Verdict] = {}  # children of one base mostly get equal verdicts
    for component in _components(linked):
        if len(component) == 1 and component[0] not in set(_targets(linked[component[0]])):
            verdict = decide(vocab, linked[component[0]], lookup)
            result[component[0]] = shared.setdefault(verdict, verdict) if verdict else None
            continue
        _assign_cycle(vocab, linked, component, result, lookup)
    return result


def _assign_cycle(
    vocab: Vocabulary,
    nodes: Mapping[K, Node],
    component: list[K],
    result: dict[K, Verdict | None],
    lookup: Lookup,
) -> None:
    """Members of a cycle: first by their own evidence and the edges that leave the cycle
    (an edge inside it would be circular evidence); then members still without a family
    take it from their assigned neighbours in the cycle, one step per round."""
    members = set(component)

    def outside(key: Any) -> Verdict | None:
        return None if key in members else lookup(key)

    for key in component:
        result[key] = decide(vocab, nodes[key], outside)
    for _ in range(len(component)):
        found = {key: decide(vocab, nodes[key], lookup) for key in component if result[key] is None}
        found = {key: verdict for key, verdict in found.items() if verdict is not None}
        if not found:
            break
        result.update(found)


def _components(nodes: Mapping[K, Node]) -> Iterable[list[K]]:
    """Strongly connected components, dependencies first (iterative Tarjan)."""
    index: dict[K, int] = {}
    low: dict[K, int] = {}
    stack: list[K] = []
    on_stack: set[K] = set()
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(_targets(nodes[root])))]
        while work:
            key, pending = work[-1]
            for target in pending:
                if target not in nodes:
                    continue
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(_targets(nodes[target]))))
                    break
                if target in on_stack:
                    low[key] = min(low[key], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[key])
                if low[key] == index[key]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == key:
                            break
                    yield component


def _targets(node: Node) -> Iterable[Any]:
    for edge in (*node.parents, *node.links):
        if edge.target is not None:
            yield edge.target


def decide(vocab: Vocabulary, node: Node, lookup: Lookup) -> Verdict | None:
    """One model's family from its own evidence and its (already assigned) edges."""
    own = node.own
    if own.pin is not None:
        return own.pin if own.pin.slug is not None else None
    weaker = [v for v in (own.architecture, own.name) if v is not None]
    lineage = _through_edges(vocab, node.parents, lookup, LINEAGE, "base")
    if lineage is not None:
        sibling = _sibling_release(vocab, lineage, own.name)
        if sibling is not None:
            return sibling
        return refine(vocab, lineage._replace(derivative=True), [own.link, *weaker])
    link = _combine(vocab, _through_edges(vocab, node.links, lookup, LINK, "linked"), own.link)
    if link is not None:
        return refine(vocab, link, weaker)
    if own.architecture is not None:
        return refine(vocab, own.architecture, [own.name])
    # Bases of rival families, told apart by the model's task: weaker than what the model
    # states itself (its architecture), stronger than its name.
    rival = _base_for_task(vocab, node, lookup) if len(node.parents) > 1 else None
    return own.name if rival is None else refine(vocab, rival._replace(derivative=True), [own.name])


def _sibling_release(vocab: Vocabulary, lineage: Verdict, name: Verdict | None) -> Verdict | None:
    """A release published on top of its base (an instruct model of the same line): the
    base says the line, the model's own name is exactly a sibling release of the base's."""
    if name is None or not name.exact or name.derivative or name.slug is None:
        return None
    assert lineage.slug is not None
    own, base = vocab.families[name.slug], vocab.families[lineage.slug]
    if own is base or own.kind != "release" or base.kind != "release" or own.parent != base.parent:
        return None  # the base's own release: a copy (quantized, fine-tuned) is a derivative
    return lineage._replace(
        slug=own.slug, evidence=f"{lineage.evidence}; {name.evidence}", derivative=False
    )


def _edge_verdict(edge: Edge, lookup: Lookup) -> Verdict | None:
    """The family an edge's target has: assigned, else the one its id names; None when
    neither says a family."""
    verdict = lookup(edge.target) if edge.target is not None else None
    verdict = verdict or edge.fallback
    return verdict if verdict is not None and verdict.slug is not None else None


def _through_edges(
    vocab: Vocabulary, edges: Sequence[Edge], lookup: Lookup, method: str, label: str
) -> Verdict | None:
    """The family the edges' targets agree on (their deepest common family)."""
    found = [(edge, verdict) for edge in edges if (verdict := _edge_verdict(edge, lookup))]
    if not found:
        return None
    slug = vocab.common_ancestor(v.slug for _, v in found if v.slug)
    if slug is None:
        return None
    confidence = round(min(v.confidence for _, v in found) * EDGE_FACTOR, 3)
    shown = "; ".join(f"{label} {e.ref} ({v.slug})" for e, v in found[:3])
    return Verdict(slug, method, confidence, shown)


def _base_for_task(vocab: Vocabulary, node: Node, lookup: Lookup) -> Verdict | None:
    """Bases of rival families (an image generator conditioned on a language model): the
    one family whose task list names what the model does, if exactly one does; a family
    without a task list names nothing, so it never wins this way."""
    if not node.tasks:
        return None
    by_root: dict[str, list[Edge]] = {}
    for edge in node.parents:
        if (verdict := _edge_verdict(edge, lookup)) is not None:
            assert verdict.slug is not None
            by_root.setdefault(vocab.families[verdict.slug].root, []).append(edge)
    doing = [
        root
        for root in by_root
        if (tasks := vocab.families[root].tasks) is not None and any(t in tasks for t in node.tasks)
    ]
    if len(by_root) < 2 or len(doing) != 1:
        return None
    chosen = _through_edges(vocab, tuple(by_root[doing[0]]), lookup, LINEAGE, "base")
    if chosen is None:
        return None
    rivals = ", ".join(sorted(r for r in by_root if r != doing[0]))
    return chosen._replace(
        confidence=round(chosen.confidence * EDGE_FACTOR, 3),
        evidence=f"{chosen.evidence}; its task ({', '.join(node.tasks)}) is {doing[0]}'s, "
        f"not {rivals}'s",
    )


def _combine(vocab: Vocabulary, first: Verdict | None, second: Verdict | None) -> Verdict | None:
    """Two verdicts of one kind: the more specific when they agree, none when they clash."""
    if first is None or second is None:
        return first or second
    assert first.slug is not None
    assert second.slug is not None
    if vocab.is_within(second.slug, first.slug):
        return second._replace(evidence=f"{first.evidence}; {second.evidence}")
    if vocab.is_within(first.slug, second.slug):
        return first._replace(evidence=f"{first.evidence}; {second.evidence}")
    return None


def refine(vocab: Vocabulary, strong: Verdict, weaker: Iterable[Verdict | None]) -> Verdict:
    """`strong`, made more specific by weaker verdicts that fall inside its family."""
    current = strong
    for verdict in weaker:
        if verdict is None or verdict.slug is None or current.slug is None:
            continue
        if verdict.slug != current.slug and vocab.is_within(verdict.slug, current.slug):
            current = current._replace(
                slug=verdict.slug,
                evidence=f"{current.evidence}; {verdict.evidence}",
                derivative=current.derivative or verdict.derivative,
            )
    return current
