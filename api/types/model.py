"""The `Model` type and the types hanging off it (formats, lineage, metrics)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from api.context import Context
from api.types.derived import (
    EffectiveLicense,
    FieldSource,
    MemoryFootprint,
    UsageAssessment,
    memory_of,
)
from api.types.vocab import Modality, Platform, Task
from catalog.models import RELATIONS
from catalog.queries.detail import ModelRow, Term
from catalog.queries.errors import QueryError
from catalog.queries.families import AssignmentRow
from catalog.queries.filters import MAX_PAGE
from catalog.queries.lineage import MAX_DEPTH

if TYPE_CHECKING:
    from api.types.family import Family, FamilyAssignment, SameAsLink
    from api.types.search import ModelConnection

MAX_METRIC_POINTS = 10_000


async def load_models(ctx: Context, ids: Sequence[int]) -> list[Model | None]:
    """Models by id through the request's loader, in order."""
    rows = await ctx.loaders.model.load_many(list(ids))
    return [Model.from_row(r) if r is not None else None for r in rows]


async def _terms(info: strawberry.Info[Context, None], model_id: int, kind: str) -> list[Term]:
    found = await info.context.loaders.details.load((model_id, kind))
    return found.terms.get(kind, [])


@strawberry.type(description="A format a model is available in, with its variants.")
class ModelFormat:
    slug: str
    name: str
    variants: list[JSON] = strawberry.field(
        description="Variant detail: quantization, opset, file, entrypoint, ..."
    )
    file_count: int | None
    total_bytes: float | None = strawberry.field(description="Bytes (Float: may exceed 2^31).")


@strawberry.type(description="A direct parent of a model and how the model derives from it.")
class LineageEdge:
    relation: str = strawberry.field(description="finetune, adapter, quantized or merge")
    parent_ref: str = strawberry.field(description="`<platform>:<externalId>` of the parent.")
    parent_id: strawberry.Private[int | None]

    @strawberry.field(description="The parent, or null while it is not in the catalog.")
    async def parent(self, info: strawberry.Info[Context, None]) -> Model | None:
        if self.parent_id is None:
            return None
        (model,) = await load_models(info.context, [self.parent_id])
        return model


@strawberry.type(description="A model reached by walking lineage, with its distance.")
class LineageNode:
    depth: int = strawberry.field(description="1 = direct parent (or child).")
    relation: str = strawberry.field(description="Relation of the last edge walked.")
    via: strawberry.ID = strawberry.field(description="Id of the model on that edge's other end.")
    model_id: strawberry.Private[int]

    @strawberry.field
    async def model(self, info: strawberry.Info[Context, None]) -> Model | None:
        (model,) = await load_models(info.context, [self.model_id])
        return model


@strawberry.type(description="Downloads and likes of a model at one moment.")
class MetricPoint:
    observed_at: dt.datetime
    downloads: float | None
    likes: int | None


def _check_depth(max_depth: int) -> None:
    if not 1 <= max_depth <= MAX_DEPTH:
        raise QueryError(f"maxDepth must be between 1 and {MAX_DEPTH}, got {max_depth}")


ConnectionRef = Annotated["ModelConnection", strawberry.lazy("api.types.search")]
FamilyRef = Annotated["Family", strawberry.lazy("api.types.family")]
AssignmentRef = Annotated["FamilyAssignment", strawberry.lazy("api.types.family")]
SameAsRef = Annotated["SameAsLink", strawberry.lazy("api.types.family")]


@strawberry.type(description="A model as one hub publishes it.")
class Model:
    row: strawberry.Private[ModelRow]
    id: strawberry.ID
    ref: str = strawberry.field(description="`<platform>:<externalId>`")
    external_id: str
    name: str
    author: str | None
    url: str | None
    summary: str | None
    description: str | None
    license: str | None
    library: str | None
    parameters: float | None
    downloads: int | None = strawberry.field(description="Recent (30-day) downloads.")
    downloads_all_time: float | None
    likes: int | None
    trending_score: float | None
    created_at: dt.datetime | None
    last_modified: dt.datetime | None
    gated: str | None
    nsfw: bool | None = strawberry.field(
        description="Whether the hub flags the model not safe for work (null: it does not "
        "say). Searches leave flagged models out unless `filter.nsfw` is true."
    )
    removed_at: dt.datetime | None = strawberry.field(description="Set when the hub dropped it.")

    @classmethod
    def from_row(cls, row: ModelRow) -> Model:
        """Build from a query row."""
        return cls(
            row=row,
            id=strawberry.ID(str(row.id)),
            ref=row.ref,
            external_id=row.external_id,
            name=row.name,
            author=row.author,
            url=row.url,
            summary=row.summary,
            description=row.description,
            license=row.license,
            library=row.library,
            parameters=row.parameters,
            downloads=row.downloads,
            downloads_all_time=row.downloads_all_time,
            likes=row.likes,
            trending_score=row.trending_score,
            created_at=row.created_at,
            last_modified=row.last_modified,
            gated=row.gated,
            nsfw=row.nsfw,
            removed_at=row.removed_at,
        )

    @strawberry.field
    def platform(self, info: strawberry.Info[Context, None]) -> Platform:
        row = self.row
        return Platform(slug=row.platform, name=row.platform_name, url=row.platform_url)

    @strawberry.field
    async def tasks(self, info: strawberry.Info[Context, None]) -> list[Task]:
        terms = await _terms(info, self.row.id, "task")
        return [Task(slug=t.slug, name=t.name or t.slug, modality=t.modality or "") for t in terms]

    @strawberry.field
    async def modalities(self, info: strawberry.Info[Context, None]) -> list[Modality]:
        terms = await _terms(info, self.row.id, "modality")
        return [Modality(slug=t.slug, name=t.name or t.slug) for t in terms]

    @strawberry.field
    async def formats(self, info: strawberry.Info[Context, None]) -> list[ModelFormat]:
        found = (await info.context.loaders.details.load((self.row.id, "format"))).formats
        return [
            ModelFormat(
                slug=f.slug,
                name=f.name,
                variants=[cast(JSON, v) for v in f.variants or []],
                file_count=f.file_count,
                total_bytes=f.total_bytes,
            )
            for f in found
        ]

    @strawberry.field(description="Language codes.")
    async def languages(self, info: strawberry.Info[Context, None]) -> list[str]:
        return [t.slug for t in await _terms(info, self.row.id, "language")]

    @strawberry.field
    async def datasets(self, info: strawberry.Info[Context, None]) -> list[str]:
        return [t.slug for t in await _terms(info, self.row.id, "dataset")]

    @strawberry.field
    async def tags(self, info: strawberry.Info[Context, None]) -> list[str]:
        return [t.slug for t in await _terms(info, self.row.id, "tag")]

    @strawberry.field(description="Direct parents, with the relation.")
    async def base_models(self, info: strawberry.Info[Context, None]) -> list[LineageEdge]:
        parents = (await info.context.loaders.details.load((self.row.id, "parent"))).parents
        return [
            LineageEdge(relation=relation, parent_ref=f"{platform}:{external_id}", parent_id=pid)
            for pid, platform, external_id, relation in parents
        ]

    @strawberry.field(description="Direct children, most downloaded first.")
    async def derivatives(
        self, info: strawberry.Info[Context, None], relation: str | None = None, first: int = 20
    ) -> ConnectionRef:
        from api.resolvers.search import ChildrenSource
        from api.types.search import ModelConnection

        if not 0 <= first <= MAX_PAGE:
            raise QueryError(f"first must be between 0 and {MAX_PAGE}, got {first}")
        if relation is not None and relation not in RELATIONS:
            raise QueryError(f"unknown relation {relation!r}; allowed: {', '.join(RELATIONS)}")
        page = await info.context.loaders.children.load((self.row.id, (relation, first)))
        return ModelConnection(source=ChildrenSource(info.context, self.row.id, relation, page))

    @strawberry.field(description="Every model this one derives from, nearest first (cycle-safe).")
    async def ancestors(
        self, info: strawberry.Info[Context, None], max_depth: int = 10
    ) -> list[LineageNode]:
        return await _walk(info, self.row.id, upward=True, max_depth=max_depth)

    @strawberry.field(description="Every model derived from this one, nearest first (cycle-safe).")
    async def descendants(
        self, info: strawberry.Info[Context, None], max_depth: int = 10
    ) -> list[LineageNode]:
        return await _walk(info, self.row.id, upward=False, max_depth=max_depth)

    @strawberry.field(description="Usable as a fixed feature extractor (embeddings, features).")
    async def feature_extraction(self, info: strawberry.Info[Context, None]) -> UsageAssessment:
        return await _usage(info, self.row.id, "feature-extraction")

    @strawberry.field(description="A starting point for fine-tuning its weights.")
    async def fine_tuning(self, info: strawberry.Info[Context, None]) -> UsageAssessment:
        return await _usage(info, self.row.id, "fine-tuning")

    @strawberry.field(description="Usable zero-/few-shot, with instructions or a few examples.")
    async def zero_shot(self, info: strawberry.Info[Context, None]) -> UsageAssessment:
        return await _usage(info, self.row.id, "zero-shot")

    @strawberry.field(description="Memory of the weights only (smallest variant); null: unknown.")
    async def memory(self, info: strawberry.Info[Context, None]) -> MemoryFootprint | None:
        found = await info.context.loaders.derived.load(self.row.id)
        return memory_of(found) if found is not None else None

    @strawberry.field(
        description="Class of the declared license: permissive, copyleft, restricted-custom, "
        "non-commercial or unknown (null without a license)."
    )
    async def license_class(self, info: strawberry.Info[Context, None]) -> str | None:
        found = await info.context.loaders.derived.load(self.row.id)
        return found.license_class if found is not None else None

    @strawberry.field(description="Declared plus inherited licenses; null until derived.")
    async def effective_license(
        self, info: strawberry.Info[Context, None]
    ) -> EffectiveLicense | None:
        found = await info.context.loaders.derived.load(self.row.id)
        return EffectiveLicense.from_row(found) if found and found.derived else None

    @strawberry.field(description="The declared license is more permissive than an ancestor's.")
    async def license_conflict(self, info: strawberry.Info[Context, None]) -> bool:
        found = await info.context.loaders.derived.load(self.row.id)
        return bool(found and found.license_conflict)

    @strawberry.field(description="Where each field's value came from.")
    async def provenance(self, info: strawberry.Info[Context, None]) -> list[FieldSource]:
        found = await info.context.loaders.derived.load(self.row.id)
        return [FieldSource.from_row(s) for s in found.provenance] if found else []

    @strawberry.field(description="The model's family, the most specific one (null when unknown).")
    async def family(self, info: strawberry.Info[Context, None]) -> FamilyRef | None:
        from api.types.family import FamilyAssignment

        found = await _assignment(info, self.row.id)
        return await FamilyAssignment.from_row(found).family(info) if found else None

    @strawberry.field(description="The family with the evidence for it (null when unknown).")
    async def family_assignment(self, info: strawberry.Info[Context, None]) -> AssignmentRef | None:
        from api.types.family import FamilyAssignment

        found = await _assignment(info, self.row.id)
        return FamilyAssignment.from_row(found) if found else None

    @strawberry.field(
        description=(
            "The same release on other hubs and in other formats (same release family, "
            "neither a derivative), most downloaded first."
        )
    )
    async def same_as(
        self, info: strawberry.Info[Context, None], first: int = 20
    ) -> list[SameAsRef]:
        from api.family_loaders import family_loaders
        from api.types.family import SameAsLink

        if not 0 <= first <= MAX_PAGE:
            raise QueryError(f"first must be between 0 and {MAX_PAGE}, got {first}")
        rows = await family_loaders(info.context).same_as.load((self.row.id, first))
        return [
            SameAsLink(model_id=r.model_id, method=r.method, confidence=r.confidence) for r in rows
        ]

    @strawberry.field(description="Downloads/likes history, oldest first.")
    async def metrics(
        self, info: strawberry.Info[Context, None], since: dt.datetime | None = None
    ) -> list[MetricPoint]:
        points = await info.context.loaders.metrics.load((self.row.id, since))
        return [
            MetricPoint(observed_at=p.observed_at, downloads=p.downloads, likes=p.likes)
            for p in points[-MAX_METRIC_POINTS:]
        ]


async def _usage(
    info: strawberry.Info[Context, None], model_id: int, usage: str
) -> UsageAssessment:
    found = await info.context.loaders.derived.load(model_id)
    return UsageAssessment.from_row(found.usage.get(usage) if found else None)


async def _assignment(info: strawberry.Info[Context, None], model_id: int) -> AssignmentRow | None:
    from api.family_loaders import family_loaders

    return await family_loaders(info.context).assignment.load(model_id)


async def _walk(
    info: strawberry.Info[Context, None], model_id: int, *, upward: bool, max_depth: int
) -> list[LineageNode]:
    """Ancestors (upward) or descendants of a model, through the request's loader."""
    _check_depth(max_depth)
    steps = await info.context.loaders.walk.load((model_id, (upward, max_depth)))
    return [
        LineageNode(
            depth=s.depth,
            relation=s.relation,
            via=strawberry.ID(str(s.via_id)),
            model_id=s.model_id,
        )
        for s in steps
    ]
