"""Shared helpers of the hubs' alias tables (`harvesters/<hub>/aliases.py`).

The tables are data: a hub value (normalised by `term_key`) maps to a tuple of
canonical slugs of `catalog.vocab`. A value absent from its table maps to nothing: the
harvester keeps it as a tag and reports it as unmapped (`map_terms`). An entry with an
empty tuple says "known, and deliberately not a canonical value" (a preprocessing graph,
a generic category whose task comes from a more specific tag); whether that counts as
unmapped is the harvester's call, documented in docs/harvesters.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

_SEPARATORS = re.compile(r"[\s_\-]+")


def term_key(value: str) -> str:
    """Lookup key of a hub value: lower case, runs of spaces/underscores/hyphens -> "-"."""
    return _SEPARATORS.sub("-", value.strip().lower()).strip("-")


@dataclass(frozen=True, slots=True)
class TermMapping:
    """Result of mapping hub values: canonical targets and the values that had none."""

    targets: tuple[str, ...]
    unmapped: tuple[str, ...]


def map_terms(values: Iterable[str], table: Mapping[str, tuple[str, ...]]) -> TermMapping:
    """Map hub values through `table` (keys are `term_key`s), keeping order, no repeats.

    A value is unmapped when its key is not in the table; a key mapped to `()` is known
    and yields no target.
    """
    targets: dict[str, None] = {}
    unmapped: dict[str, None] = {}
    for value in values:
        key = term_key(value)
        if not key:
            continue
        if key in table:
            targets.update(dict.fromkeys(table[key]))
        else:
            unmapped[value.strip()] = None
    return TermMapping(tuple(targets), tuple(unmapped))


def license_key(value: str) -> str:
    """Lookup key of a license name: lower case with whitespace collapsed."""
    return " ".join(value.strip().lower().split())
