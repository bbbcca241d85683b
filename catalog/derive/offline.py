"""Derive a set of records in memory, their lineage walked among themselves.

For benchmarks and checks that have records but no catalog: the same rules as the
loader, with lineage walked breadth first (cycle-safe) instead of in SQL. A parent
outside the set counts as a model not in the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from catalog.derive.facts import facts_of
from catalog.derive.licenses import Inherited
from catalog.derive.model import Derivation, derive
from catalog.records import NormalizedModel

BASE_RELATIONS = ("finetune", "adapter")


def ref_of(record: NormalizedModel) -> str:
    """`<platform>:<externalId>` of a record."""
    return f"{record.platform}:{record.external_id}"


def derive_records(records: Sequence[NormalizedModel]) -> dict[str, Derivation]:
    """What the catalog derives for each record, by ref."""
    by_ref = {ref_of(r): r for r in records}
    parents = {
        ref_of(r): [(f"{p.platform}:{p.external_id}", p.relation) for p in r.lineage]
        for r in records
    }
    base_of: dict[str, str] = {}
    for child in sorted(by_ref):
        for parent, relation in parents[child]:
            if relation in BASE_RELATIONS and parent in by_ref and parent != child:
                base_of.setdefault(parent, child)
    return {
        ref: derive(facts_of(rec), _inherited(ref, parents, by_ref), base_of.get(ref))
        for ref, rec in by_ref.items()
    }


def _inherited(
    root: str,
    parents: Mapping[str, list[tuple[str, str]]],
    by_ref: Mapping[str, NormalizedModel],
) -> list[Inherited]:
    depth_of: dict[str, int] = {}
    frontier, depth = [root], 0
    while frontier:
        depth += 1
        reached = []
        for node in frontier:
            for parent, _relation in parents.get(node, ()):
                if parent != root and parent not in depth_of:
                    depth_of[parent] = depth
                    if parent in by_ref:
                        reached.append(parent)
        frontier = reached
    found = []
    for ref, d in depth_of.items():
        rec = by_ref.get(ref)
        lic = rec.license.slug if rec is not None and rec.license else None
        found.append(Inherited(lic, ref, d, resolved=rec is not None))
    return found
