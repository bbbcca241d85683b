"""Plain-Python reference of the derived facets over fixture records.

Lineage is walked in memory here (breadth first, cycle-safe), independently of the
catalog's recursive SQL, and fed to the same pure derivation functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from catalog.derive import Derivation, derive, facts_of
from catalog.derive.licenses import Inherited
from catalog.derive.memory import MEMORY_BUCKETS
from catalog.records import NormalizedModel

BASE_RELATIONS = ("finetune", "adapter")


def key_of(rec: NormalizedModel) -> str:
    """`<platform>:<externalId>` of a record."""
    return f"{rec.platform}:{rec.external_id}"


def derived_by_key(records: Sequence[NormalizedModel]) -> dict[str, Derivation]:
    """What the catalog should derive for each record, by ref."""
    by_key = {key_of(r): r for r in records}
    parents = {
        key_of(r): [(f"{p.platform}:{p.external_id}", p.relation) for p in r.lineage]
        for r in records
    }
    base_of: dict[str, str] = {}
    for child in sorted(records, key=key_of):
        for parent, relation in parents[key_of(child)]:
            if relation in BASE_RELATIONS and parent in by_key and parent != key_of(child):
                base_of.setdefault(parent, key_of(child))
    return {
        key: derive(facts_of(rec), _inherited(key, parents, by_key), base_of.get(key))
        for key, rec in by_key.items()
    }


def _inherited(
    root: str,
    parents: Mapping[str, list[tuple[str, str]]],
    by_key: Mapping[str, NormalizedModel],
) -> list[Inherited]:
    depth_of: dict[str, int] = {}
    frontier, depth = [root], 0
    while frontier:
        depth += 1
        nxt = []
        for node in frontier:
            for parent, _relation in parents.get(node, ()):
                if parent != root and parent not in depth_of:
                    depth_of[parent] = depth
                    if parent in by_key:
                        nxt.append(parent)
        frontier = nxt
    found = []
    for ref, d in depth_of.items():
        rec = by_key.get(ref)
        lic = rec.license.slug if rec and rec.license else None
        found.append(Inherited(lic, ref, d, resolved=rec is not None))
    return found


def derived_values(derivation: Derivation, field: str) -> tuple[str, ...]:
    """A derivation's values for one derived facet field."""
    if field == "usage":
        return tuple(derivation.usages)
    if field == "license_class":
        return (derivation.license.license_class,)
    size = derivation.memory_bytes
    if size is None:
        return ()
    return (next(slug for slug, _label, high in MEMORY_BUCKETS if size <= high),)


DERIVED_FIELDS = ("usage", "license_class", "memory")
