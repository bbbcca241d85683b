"""Search types: the model connection, its facets, and the enums of fields and sorts."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated, Protocol

import strawberry

from api.context import Context
from catalog.queries.results import FacetCounts

if TYPE_CHECKING:
    from api.types.model import Model


@strawberry.enum(description="A facet dimension.")
class FacetField(Enum):
    PLATFORM = "platform"
    TASK = "task"
    MODALITY = "modality"
    FORMAT = "format"
    LIBRARY = "library"
    LICENSE = "license"
    LANGUAGE = "language"
    AUTHOR = "author"
    DATASET = "dataset"
    TAG = "tag"
    FAMILY = "family"
    PARAMETER_RANGE = "parameter_range"
    USAGE = strawberry.enum_value(
        "usage", description="Usages known true: feature-extraction, fine-tuning, zero-shot."
    )
    LICENSE_CLASS = strawberry.enum_value(
        "license_class", description="Class of the effective license (declared + inherited)."
    )
    MEMORY = strawberry.enum_value(
        "memory", description="Memory footprint of the weights only (smallest variant), in GiB."
    )


@strawberry.enum(
    description=(
        "Sort order. Numbers and dates sort largest/newest first unless the name ends in "
        "_ASC; NAME sorts A to Z. Missing values always come last; ties break by id."
    )
)
class ModelSort(Enum):
    RELEVANCE = "relevance-"
    DOWNLOADS = "downloads-"
    DOWNLOADS_ASC = "downloads+"
    LIKES = "likes-"
    LIKES_ASC = "likes+"
    TRENDING = "trending-"
    CREATED = "created-"
    CREATED_ASC = "created+"
    LAST_MODIFIED = "last_modified-"
    LAST_MODIFIED_ASC = "last_modified+"
    PARAMETERS = "parameters-"
    PARAMETERS_ASC = "parameters+"
    NAME = "name+"
    NAME_DESC = "name-"


@strawberry.type(description="One value of a facet and how many models it would give.")
class FacetBucket:
    value: str
    label: str | None
    count: int


@strawberry.type(description="Buckets of one facet, most models first.")
class Facet:
    field: FacetField
    buckets: list[FacetBucket]

    @classmethod
    def from_counts(cls, counts: FacetCounts) -> Facet:
        """Build from query results."""
        return cls(
            field=FacetField(counts.field),
            buckets=[
                FacetBucket(value=b.value, label=b.label, count=b.count) for b in counts.buckets
            ],
        )


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


class ConnectionSource(Protocol):
    """What a connection is built from (a search, or a model's children)."""

    def ids(self) -> list[int]: ...  # noqa: D102
    def cursors(self) -> list[str]: ...  # noqa: D102
    def has_next(self) -> bool: ...  # noqa: D102
    def has_previous(self) -> bool: ...  # noqa: D102
    def total(self) -> int: ...  # noqa: D102
    def facets(self, fields: list[str], limit: int) -> list[FacetCounts]: ...  # noqa: D102


ModelRef = Annotated["Model", strawberry.lazy("api.types.model")]


@strawberry.type
class ModelEdge:
    cursor: str
    node: ModelRef


@strawberry.type(description="A page of models with the total and facet counts.")
class ModelConnection:
    source: strawberry.Private[ConnectionSource]

    @strawberry.field(description="The page, in order, each with its cursor.")
    async def edges(self, info: strawberry.Info[Context, None]) -> list[ModelEdge]:
        from api.types.model import load_models

        nodes = await load_models(info.context, self.source.ids())
        return [
            ModelEdge(cursor=c, node=n)
            for c, n in zip(self.source.cursors(), nodes, strict=True)
            if n is not None
        ]

    @strawberry.field(description="The page's models without cursors.")
    async def nodes(self, info: strawberry.Info[Context, None]) -> list[ModelRef]:
        from api.types.model import load_models

        return [n for n in await load_models(info.context, self.source.ids()) if n is not None]

    @strawberry.field
    def page_info(self) -> PageInfo:
        cursors = self.source.cursors()
        return PageInfo(
            has_next_page=self.source.has_next(),
            has_previous_page=self.source.has_previous(),
            start_cursor=cursors[0] if cursors else None,
            end_cursor=cursors[-1] if cursors else None,
        )

    @strawberry.field(description="How many models match, over all pages.")
    def total_count(self) -> int:
        return self.source.total()

    @strawberry.field(
        description=(
            "Counts per facet value. Each facet honours every filter except its own "
            "field's, so other values of a selected field still show their counts."
        )
    )
    def facets(self, fields: list[FacetField], limit: int = 20) -> list[Facet]:
        counts = self.source.facets([f.value for f in fields], limit)
        return [Facet.from_counts(c) for c in counts]
