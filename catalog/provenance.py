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
from functools import lru_cache, partial
from typing import Any

from catalog.records import FieldSource, NormalizedModel

# Identity fields are always the hub's own; they get no note.
_SKIPPED = frozenset({"platform", "unmapped", "extra", "provenance"})


class Provenance:
    """Notes of one record's field sources, in the order they were made (no repeats)."""

    def __init__(self, template: Provenance | None = None) -> None:
        """Start empty, or with `template`'s notes (those every record of a hub shares)."""
        # field -> its sources, grouped so that each field's value is checked once; lists
        # taken from a template are copied only when a note is added to them.
        self._notes: dict[str, list[FieldSource]] = dict(template._notes) if template else {}
        self._shared = set(self._notes)

    def declared(self, field: str, path: str, rule: str | None = None) -> None:
        """The hub states `field` at `path` (mapped through the alias table `rule`)."""
        self._add(_source(field, "declared", path, rule))

    def derived(self, field: str, rule: str, path: str | None = None) -> None:
        """`field` was computed by `rule` (from the hub field `path`, if one)."""
        self._add(_source(field, "derived", path, rule))

    def curated(self, field: str, rule: str) -> None:
        """`field` comes from the catalog's knowledge of the hub (`rule` names it)."""
        self._add(_source(field, "curated", None, rule))

    def _add(self, source: FieldSource) -> None:
        notes = self._notes.get(source.field)
        if notes is None:
            self._notes[source.field] = [source]
        elif source not in notes:
            if source.field in self._shared:
                notes = self._notes[source.field] = list(notes)
                self._shared.discard(source.field)
            notes.append(source)

    def sources(self, values: NormalizedModel | Mapping[str, Any]) -> tuple[FieldSource, ...]:
        """The notes of the fields that have a value in `values` (a record, or the
        keyword arguments that will make one)."""
        get = values.get if isinstance(values, dict) else partial(getattr, values)
        found: list[FieldSource] = []
        for field, notes in self._notes.items():
            value = get(field, None)
            if value is None or (isinstance(value, _SIZED) and not value):
                continue
            if field not in _SKIPPED:
                found += notes
        return tuple(found)

    def attach(self, record: NormalizedModel) -> NormalizedModel:
        """`record` with these notes as its provenance."""
        return replace(record, provenance=self.sources(record))


# FieldSource objects are immutable and a hub uses few distinct ones: they are built
# once and shared, not fifteen per record (a hub-sized load notices).
@lru_cache(maxsize=65536)
def _source(field: str, source: str, path: str | None, rule: str | None) -> FieldSource:
    return FieldSource(field, source, path, rule)


_SIZED = (str, tuple, list, dict)


def as_rows(sources: tuple[FieldSource, ...]) -> list[list[str | None]]:
    """JSON form stored per model: `[field, source, path, rule]` rows."""
    return [[s.field, s.source, s.path, s.rule] for s in sources]
