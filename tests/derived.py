"""Plain-Python reference of the derived facets over fixture records.

Lineage is walked in memory (`catalog.derive.offline`), independently of the catalog's
recursive SQL, and fed to the same pure derivation functions.
"""

from __future__ import annotations

from catalog.derive import Derivation
from catalog.derive.memory import MEMORY_BUCKETS
from catalog.derive.offline import derive_records, ref_of

DERIVED_FIELDS = ("usage", "license_class", "memory")
derived_by_key = derive_records
key_of = ref_of


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
