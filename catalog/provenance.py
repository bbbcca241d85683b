"""Recording where each normalized field came from, for hub normalizers.

A normalizer notes, as it reads a payload, which hub field gave each value
(`declared`), which rule computed it (`derived`) or which hub-wide fact of the
catalog's own supplied it (`curated`). `Provenance.attach` then keeps the notes of the
fields that ended up with a value and stores them on the record, grouped by field in
the order fields were first noted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from catalog.records import FieldSource, NormalizedModel

# Identity fields are always the hub's own; they get no note.
_SKIPPED = frozenset({"platform", "unmapped", "extra", "provenance"})


class Provenance:
    """Notes of one record's field sources, in the order they were made (no repeats)."""

    def __init__(self, template: Provenance | None = None) -> None:
        """Start empty, or with a copy of `template`'s notes (notes every record shares)."""
        # field -> {(source, path, rule): None}, so each field's value is checked once.
        self._notes: dict[str, dict[tuple[str, str | None, str | None], None]] = (
            {field: dict(notes) for field, notes in template._notes.items()} if template else {}
        )

    def declared(self, field: str, path: str, rule: str | None = None) -> None:
        """The hub states `field` at `path` (mapped through the alias table `rule`)."""
        self._notes.setdefault(field, {})[("declared", path, rule)] = None

    def derived(self, field: str, rule: str, path: str | None = None) -> None:
        """`field` was computed by `rule` (from the hub field `path`, if one)."""
        self._notes.setdefault(field, {})[("derived", path, rule)] = None

    def curated(self, field: str, rule: str) -> None:
        """`field` comes from the catalog's knowledge of the hub (`rule` names it)."""
        self._notes.setdefault(field, {})[("curated", None, rule)] = None

    def sources(self, values: NormalizedModel | Mapping[str, Any]) -> tuple[FieldSource, ...]:
        """The notes of the fields that have a value in `values` (a record, or the
        keyword arguments that will make one)."""
        get = values.get if isinstance(values, Mapping) else partial(getattr, values)
        found = []
        for field, notes in self._notes.items():
            if field in _SKIPPED or not _has_value(get(field, None)):
                continue
            found += [_source(field, *note) for note in notes]
        return tuple(found)

    def attach(self, record: NormalizedModel) -> NormalizedModel:
        """`record` with these notes as its provenance."""
        return replace(record, provenance=self.sources(record))


# FieldSource objects are immutable and few distinct ones exist per hub: normalizers
# share them instead of building fifteen per record (a hub-sized load notices).
_CACHE: dict[tuple[str, str, str | None, str | None], FieldSource] = {}
_CACHE_LIMIT = 100_000


def _source(field: str, source: str, path: str | None, rule: str | None) -> FieldSource:
    key = (field, source, path, rule)
    found = _CACHE.get(key)
    if found is None:
        if len(_CACHE) >= _CACHE_LIMIT:
            _CACHE.clear()
        found = _CACHE[key] = FieldSource(field, source, path, rule)
    return found


def _has_value(value: Any) -> bool:
    if value is None:
        return False
    return bool(value) if isinstance(value, str | tuple | list | dict) else True


def as_rows(sources: tuple[FieldSource, ...]) -> list[list[str | None]]:
    """JSON form stored per model: `[field, source, path, rule]` rows."""
    return [[s.field, s.source, s.path, s.rule] for s in sources]
