"""Families of normalized records in memory: the same evidence as the catalog, no database.

What tests and the accuracy benchmark use; the catalog's rebuild reads the same facts
from its tables (`catalog.families.store`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from catalog.families.assign import Edge, Node, assign_all
from catalog.families.matcher import (
    EXTRA_KEYS,
    ModelFacts,
    OwnEvidence,
    Verdict,
    own_evidence,
    ref_name_verdict,
)
from catalog.families.vocabulary import Vocabulary
from catalog.records import NormalizedModel

VARIANT_KEYS = ("entrypoint", "instance")


def variant_names(variants: Iterable[Any]) -> tuple[str, ...]:
    """Entrypoints and instance slugs among format variants (in order, no repeats)."""
    names: dict[str, None] = {}
    for variant in variants:
        if isinstance(variant, Mapping):
            for key in VARIANT_KEYS:
                value = variant.get(key)
                if isinstance(value, str) and value:
                    names[value] = None
    return tuple(names)


def facts_from_record(record: NormalizedModel) -> ModelFacts:
    """What the matcher reads, taken from a normalized record."""
    return ModelFacts(
        platform=record.platform,
        external_id=record.external_id,
        name=record.name,
        library=record.library,
        tasks=tuple(record.tasks),
        tags=tuple(record.tags),
        extra={k: v for k, v in record.extra.items() if k in EXTRA_KEYS},
        variants=variant_names(v for f in record.formats for v in f.variants),
    )


Target = tuple[Any, str, str]  # (key of the model when it is held, else None; platform; id)


def make_node(
    vocab: Vocabulary,
    own: OwnEvidence,
    parents: Iterable[Target],
    links: Iterable[Target],
    fallbacks: dict[tuple[str, str], Verdict | None] | None = None,
    *,
    tasks: Iterable[str] = (),
) -> Node:
    """A model's node: its own evidence, its bases and its linked models.

    A target that is not held (key None) is matched by the name in its id; `fallbacks`
    caches those matches (many models name the same missing base).
    """
    cache = fallbacks if fallbacks is not None else {}

    def edge(target: Any, platform: str, external_id: str) -> Edge:
        fallback = None
        if target is None:
            key = (platform, external_id)
            if key not in cache:
                cache[key] = ref_name_verdict(vocab, platform, external_id)
            fallback = cache[key]
        return Edge(target, f"{platform}:{external_id}", fallback)

    edges = tuple(edge(*p) for p in parents)
    return Node(
        own=own,
        parents=edges,
        links=tuple(edge(*link) for link in links),
        # Only rival bases need the tasks: other nodes stay equal, and shared.
        tasks=tuple(tasks) if len(edges) > 1 else (),
    )


def assign_records(
    vocab: Vocabulary, records: Sequence[NormalizedModel]
) -> dict[str, Verdict | None]:
    """The family of every record, by `<platform>:<externalId>`; lineage and links resolve
    among the given records, and by the target's name for targets not among them."""
    keys = {(r.platform, r.external_id) for r in records}

    def held(platform: str, external_id: str) -> Target:
        key = (platform, external_id)
        return (key if key in keys else None, platform, external_id)

    nodes: dict[tuple[str, str], Node] = {}
    for record in records:
        own = own_evidence(vocab, facts_from_record(record))
        parents = [held(p.platform, p.external_id) for p in record.lineage]
        links = [held(*ref) for ref in own.link_refs]
        nodes[(record.platform, record.external_id)] = make_node(
            vocab, own, parents, links, tasks=record.tasks
        )
    found = assign_all(vocab, nodes, {})
    return {f"{platform}:{ext}": verdict for (platform, ext), verdict in found.items()}
