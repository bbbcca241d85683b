"""GraphQL input types and their conversion to `catalog.queries` requests."""

from __future__ import annotations

import datetime as dt

import strawberry

from api.types.search import ModelSort
from catalog.queries.dimensions import FILTER_KEYS
from catalog.queries.errors import QueryError
from catalog.queries.filters import ModelFilter as QueryFilter
from catalog.queries.filters import SortKey
from catalog.records import BIGINT_MAX


@strawberry.input(description="Facet values, OR within a field.")
class FacetValues:
    platforms: list[str] | None = None
    tasks: list[str] | None = None
    modalities: list[str] | None = None
    formats: list[str] | None = None
    libraries: list[str] | None = None
    licenses: list[str] | None = None
    languages: list[str] | None = None
    authors: list[str] | None = None
    datasets: list[str] | None = None
    tags: list[str] | None = None
    usages: list[str] | None = strawberry.field(
        default=None,
        description="Known usages: feature-extraction, fine-tuning, zero-shot (derived).",
    )
    license_classes: list[str] | None = strawberry.field(
        default=None,
        description="Classes of the effective license: permissive, copyleft, "
        "restricted-custom, non-commercial, unknown (derived).",
    )
    families: list[str] | None = strawberry.field(
        default=None, description="Family slugs; a family includes its sub-families."
    )


def _values(values: FacetValues | ModelFilter | None) -> dict[str, tuple[str, ...]]:
    if values is None:
        return {}
    found = {key: getattr(values, key) for key in FILTER_KEYS}
    return {key: tuple(v) for key, v in found.items() if v}


@strawberry.input(
    description=(
        "What to keep: AND across fields, OR within one; `exclude` drops models having "
        "any of its values."
    )
)
class ModelFilter(FacetValues):
    exclude: FacetValues | None = None
    min_parameters: float | None = None
    max_parameters: float | None = None
    min_downloads: int | None = None
    created_after: dt.datetime | None = None
    updated_after: dt.datetime | None = None
    derived_from: strawberry.ID | None = strawberry.field(
        default=None, description="Keep descendants (any depth) of this model id."
    )
    include_removed: bool = False
    nsfw: bool = strawberry.field(
        default=False,
        description="true: also keep models their hub flags not safe for work (hidden by "
        "default; models whose hub says nothing are always kept).",
    )
    max_memory_bytes: float | None = strawberry.field(
        default=None,
        description="Largest memory footprint of the weights only (smallest variant), bytes.",
    )
    commercial_use: bool | None = strawberry.field(
        default=None,
        description="true: the effective license allows commercial use; false: it does "
        "not. Models whose license is unknown match neither.",
    )


def parse_id(value: str | None, field: str) -> int | None:
    """A model id argument as an int.

    Raises:
        QueryError: the id is not a number, or out of range.
    """
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise QueryError(f"{field}: {value!r} is not a model id (ids are numbers)") from None
    if not 0 < number <= BIGINT_MAX:
        raise QueryError(f"{field}: {value!r} is not a model id (ids are 1 to {BIGINT_MAX})")
    return number


def to_query_filter(flt: ModelFilter | None) -> QueryFilter:
    """The catalog filter of a GraphQL filter."""
    if flt is None:
        return QueryFilter()
    for name in ("min_parameters", "max_parameters", "min_downloads", "max_memory_bytes"):
        value = getattr(flt, name)
        if value is not None and value < 0:
            raise QueryError(f"filter.{strawberry_name(name)} must not be negative")
    return QueryFilter(
        values=_values(flt),
        exclude=_values(flt.exclude),
        min_parameters=flt.min_parameters,
        max_parameters=flt.max_parameters,
        min_downloads=flt.min_downloads,
        created_after=_aware(flt.created_after),
        updated_after=_aware(flt.updated_after),
        derived_from=parse_id(flt.derived_from, "filter.derivedFrom"),
        include_removed=flt.include_removed,
        include_nsfw=flt.nsfw,
        max_memory_bytes=flt.max_memory_bytes,
        commercial_use=flt.commercial_use,
    )


def strawberry_name(name: str) -> str:
    """camelCase of a snake_case name, as the schema shows it."""
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """Datetimes without a zone are taken as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


def to_sort_keys(sort: list[ModelSort] | None) -> tuple[SortKey, ...]:
    """Sort keys of the `sort` argument."""
    return tuple(SortKey(s.value[:-1], s.value.endswith("-")) for s in sort or ())
