"""Family types: the family tree, a model's assignment, same-release links."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Annotated

import strawberry

from api.context import Context
from api.family_loaders import family_loaders
from api.resolvers.counts import platforms as platform_rows
from api.types.search import ModelSort, PageInfo
from api.types.vocab import Platform
from catalog.queries.errors import QueryError
from catalog.queries.families import AssignmentRow, FamilyRow, encode_family_cursor

if TYPE_CHECKING:
    from api.inputs import ModelFilter
    from api.types.model import Model
    from api.types.search import ModelConnection

ModelRef = Annotated["Model", strawberry.lazy("api.types.model")]
ConnectionRef = Annotated["ModelConnection", strawberry.lazy("api.types.search")]
FilterRef = Annotated["ModelFilter", strawberry.lazy("api.inputs")]


@strawberry.type(
    description=(
        "A model family: an architecture as its authors name it (a root), a generation or "
        "line below it, or a release (architecture and size as released). A family "
        "includes its sub-families."
    )
)
class Family:
    row: strawberry.Private[FamilyRow]
    slug: str
    name: str
    path: list[str] = strawberry.field(description="Slugs from the root down to this family.")
    kind: str = strawberry.field(description="architecture (a root), line or release")
    depth: int = strawberry.field(description="0 for a root.")

    @classmethod
    def from_row(cls, row: FamilyRow) -> Family:
        """Build from a query row."""
        return cls(
            row=row, slug=row.slug, name=row.name, path=list(row.path), kind=row.kind,
            depth=row.depth,
        )  # fmt: skip

    @strawberry.field(description="The family this one belongs to (null for a root).")
    async def parent(self, info: strawberry.Info[Context, None]) -> Family | None:
        if self.row.parent_id is None:
            return None
        found = await family_loaders(info.context).family.load(self.row.parent_id)
        return Family.from_row(found) if found else None

    @strawberry.field(description="Sub-families, by name.")
    async def children(self, info: strawberry.Info[Context, None]) -> list[Family]:
        rows = await family_loaders(info.context).children.load(self.row.id)
        return [Family.from_row(r) for r in rows]

    @strawberry.field(description="Live models of the family and its sub-families.")
    async def model_count(self, info: strawberry.Info[Context, None]) -> int:
        return await family_loaders(info.context).model_count.load((self.row.id, self.row.slug))

    @strawberry.field(description="Platforms that publish models of the family.")
    async def platforms(self, info: strawberry.Info[Context, None]) -> list[Platform]:
        slugs = await family_loaders(info.context).platforms.load(self.row.id)
        known = platform_rows(info.context)
        return [Platform(slug=s, name=known[s][1], url=known[s][2]) for s in slugs if s in known]

    @strawberry.field(
        description=(
            "Fine-tunes, adapters, quantizations and merges of the family's models, "
            "per platform and relation."
        )
    )
    async def derivatives(
        self, info: strawberry.Info[Context, None]
    ) -> list[FamilyDerivativeCount]:
        rows = await family_loaders(info.context).derivatives.load(self.row.id)
        return [
            FamilyDerivativeCount(platform=r.platform, relation=r.relation, models=r.models)
            for r in rows
        ]

    @strawberry.field(description="Models of the family (sub-families included).")
    def models(
        self,
        info: strawberry.Info[Context, None],
        filter: FilterRef | None = None,  # noqa: A002 - the contract's argument name
        sort: list[ModelSort] | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> ConnectionRef:
        from api.resolvers.search import models

        if filter is not None and filter.families:
            raise QueryError("Family.models already filters by family; leave filter.families out")
        from api.inputs import ModelFilter

        scoped = dataclasses.replace(filter or ModelFilter(), families=[self.slug])
        return models(info, filter=scoped, sort=sort, first=first, after=after)


@strawberry.type(description="Derivatives of a family's models on one platform.")
class FamilyDerivativeCount:
    platform: str
    relation: str = strawberry.field(description="finetune, adapter, quantized or merge")
    models: int


@strawberry.type(description="Why a model belongs to its family.")
class FamilyAssignment:
    row: strawberry.Private[AssignmentRow]
    method: str = strawberry.field(
        description="curated, lineage, link, architecture or name (strongest first)"
    )
    confidence: float = strawberry.field(description="0 to 1.")
    evidence: str | None = strawberry.field(description="What the evidence was, in words.")
    derivative: bool = strawberry.field(
        description="A fine-tune, adapter, quantization or merge of the family's release."
    )

    @classmethod
    def from_row(cls, row: AssignmentRow) -> FamilyAssignment:
        """Build from a query row."""
        return cls(
            row=row, method=row.method, confidence=row.confidence, evidence=row.evidence,
            derivative=row.derivative,
        )  # fmt: skip

    @strawberry.field(description="The family (the most specific one the evidence gives).")
    async def family(self, info: strawberry.Info[Context, None]) -> Family:
        found = await family_loaders(info.context).family.load(self.row.family_id)
        assert found is not None  # the foreign key guarantees it
        return Family.from_row(found)


@strawberry.type(description="The same release published as another model (hub or format).")
class SameAsLink:
    model_id: strawberry.Private[int]
    method: str = strawberry.field(description="How the other model's family was found.")
    confidence: float = strawberry.field(description="The lower of the two assignments'.")

    @strawberry.field
    async def model(self, info: strawberry.Info[Context, None]) -> ModelRef:
        from api.types.model import load_models

        (found,) = await load_models(info.context, [self.model_id])
        assert found is not None
        return found


@strawberry.type
class FamilyEdge:
    cursor: str
    node: Family


@strawberry.type(description="A page of families.")
class FamilyConnection:
    edges: list[FamilyEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(description="Families matching, over all pages.")

    @strawberry.field(description="The page's families without cursors.")
    def nodes(self) -> list[Family]:
        return [e.node for e in self.edges]

    @classmethod
    def from_rows(
        cls, rows: list[FamilyRow], total: int, has_next: bool, after: str | None
    ) -> FamilyConnection:
        """Build a page."""
        edges = [
            FamilyEdge(cursor=encode_family_cursor(r.slug), node=Family.from_row(r)) for r in rows
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
            total_count=total,
        )
