"""Turn a filter's public values (slugs) into row ids, rejecting unknown closed values."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from catalog.models import LicenseClass
from catalog.queries.dimensions import (
    DIMENSIONS,
    FILTER_KEYS,
    MEMORY,
    PARAMETER_RANGE,
    Dimension,
    slug_column,
)
from catalog.queries.errors import invalid_value_error
from catalog.queries.facet_index import FacetIndex, Vocabulary
from catalog.queries.filters import ModelFilter, timestamp_key
from catalog.queries.lineage import descendant_ids


@dataclass(frozen=True, slots=True)
class ResolvedFilter:
    """A filter in terms of ids, ready for either backend.

    Attributes:
        include: Facet field -> vocabulary ids a model must have one of. A field that is
            present with no ids matches nothing (its values are unknown).
        exclude: Facet field -> vocabulary ids a model must have none of.
        id_set: When set, only these model ids (e.g. descendants of `derived_from`).
        required: Facet field -> vocabulary ids a model must have one of, in every count
            (facet counts of that field included): a condition stated in other terms,
            such as "commercial use allowed" over license classes.
    """

    include: dict[str, frozenset[int]]
    exclude: dict[str, frozenset[int]]
    min_parameters: float | None = None
    max_parameters: float | None = None
    min_downloads: int | None = None
    created_after_us: int | None = None
    updated_after_us: int | None = None
    id_set: frozenset[int] | None = None
    include_removed: bool = False
    include_nsfw: bool = False
    max_memory_bytes: float | None = None
    required: dict[str, frozenset[int]] = field(default_factory=dict)

    @property
    def has_parameter_range(self) -> bool:
        """True when the parameter count is bounded."""
        return self.min_parameters is not None or self.max_parameters is not None

    @property
    def bounds(self) -> list[tuple[str, float | None, float | None]]:
        """(range facet field, lowest, highest) of every bounded number (inclusive)."""
        found = [
            (PARAMETER_RANGE, self.min_parameters, self.max_parameters),
            (MEMORY, None, self.max_memory_bytes),
        ]
        return [b for b in found if b[1] is not None or b[2] is not None]


def lookup_ids(
    session: Session, dim: Dimension, values: Iterable[str], where: str
) -> frozenset[int]:
    """Vocabulary ids of public values; unknown values of a closed vocabulary raise.

    Raises:
        QueryError: a value of a closed vocabulary is unknown (lists the valid ones).
    """
    wanted = set(values)
    col = slug_column(dim)
    rows = session.execute(select(dim.vocab.id, col).where(col.in_(wanted))).tuples().all()
    missing = wanted - {slug for _, slug in rows}
    if missing and dim.closed:
        allowed = session.execute(select(col)).scalars().all()
        raise invalid_value_error(where, sorted(missing), allowed)
    return frozenset(row_id for row_id, _ in rows)


# Vocabularies of recent index snapshots, each with its value -> bucket code map.
_CODES_KEPT = 64
_codes: OrderedDict[int, tuple[Vocabulary, dict[str, int]]] = OrderedDict()
_codes_lock = threading.Lock()


def _codes_by_value(vocab: Vocabulary) -> dict[str, int]:
    with _codes_lock:
        # Holding the vocabulary keeps its id from being reused while it is a key.
        kept = _codes.get(id(vocab))
        if kept is not None:
            _codes.move_to_end(id(vocab))
            return kept[1]
    codes = {value: code for code, value in enumerate(vocab.values)}
    with _codes_lock:
        _codes[id(vocab)] = (vocab, codes)
        while len(_codes) > _CODES_KEPT:
            _codes.popitem(last=False)
    return codes


def snapshot_ids(vocab: Vocabulary, values: Iterable[str]) -> frozenset[int] | None:
    """Vocabulary ids of public values as an index snapshot read them, or None when one
    of them is unknown to it (then the database decides: a value added since, or an
    error for a closed vocabulary)."""
    by_value = _codes_by_value(vocab)
    codes = [by_value.get(v) for v in set(values)]
    if any(c is None for c in codes):
        return None
    mask = np.zeros(len(vocab.code_of), dtype=bool)
    for code in codes:
        mask |= vocab.code_of == code
    return frozenset(np.flatnonzero(mask).tolist())


def resolve_filter(
    session: Session, flt: ModelFilter, index: FacetIndex | None = None
) -> ResolvedFilter:
    """Resolve every value of a filter to ids: from `index`'s vocabularies when it has
    them (the snapshot the search is answered from), else one small query per field."""

    def ids(key: str, values: Iterable[str], where: str) -> frozenset[int]:
        dim = DIMENSIONS[FILTER_KEYS[key]]
        known = snapshot_ids(index.vocab[dim.field], values) if index is not None else None
        return known if known is not None else lookup_ids(session, dim, values, where)

    include = {
        FILTER_KEYS[key]: ids(key, vals, f"filter.{key}")
        for key, vals in flt.values.items()
        if vals
    }
    exclude = {
        FILTER_KEYS[key]: ids(key, vals, f"filter.exclude.{key}")
        for key, vals in flt.exclude.items()
        if vals
    }
    id_set = None
    if flt.derived_from is not None:
        id_set = frozenset(descendant_ids(session, flt.derived_from))
    return ResolvedFilter(
        include=include,
        exclude={k: v for k, v in exclude.items() if v},
        min_parameters=flt.min_parameters,
        max_parameters=flt.max_parameters,
        min_downloads=flt.min_downloads,
        created_after_us=timestamp_key(flt.created_after),
        updated_after_us=timestamp_key(flt.updated_after),
        id_set=id_set,
        include_removed=flt.include_removed,
        include_nsfw=flt.include_nsfw,
        max_memory_bytes=flt.max_memory_bytes,
        required=_commercial(session, flt.commercial_use),
    )


def _commercial(session: Session, allowed: bool | None) -> dict[str, frozenset[int]]:
    """ "Commercial use allowed" (or forbidden) as the license classes that say so."""
    if allowed is None:
        return {}
    ids = session.execute(
        select(LicenseClass.id).where(LicenseClass.commercial_use.is_(allowed))
    ).scalars()
    return {"license_class": frozenset(ids)}


def bucket_scope(
    session: Session, dim: Dimension, selected: frozenset[int] | None
) -> frozenset[int]:
    """The values a facet of a tree shows: the roots, or with values selected the children
    of each selected value (the value itself when it has none), one small query.

    Args:
        session: The request's session.
        dim: A hierarchical dimension (`Dimension.parent_attr`).
        selected: Vocabulary ids the filter selects on this dimension, if any.
    """
    assert dim.parent_attr is not None
    vocab_id = dim.vocab.id
    parent = getattr(dim.vocab, dim.parent_attr)
    if not selected:
        return frozenset(session.execute(select(vocab_id).where(parent.is_(None))).scalars())
    chosen = sorted(selected)
    rows = (
        session.execute(
            select(vocab_id, parent).where(or_(parent.in_(chosen), vocab_id.in_(chosen)))
        )
        .tuples()
        .all()
    )
    children = {row_id for row_id, parent_id in rows if parent_id in selected}
    with_children = {parent_id for row_id, parent_id in rows if row_id in children}
    return frozenset(children | (selected - with_children))
