"""Vocabulary types: platforms, modalities, tasks, formats, and harvest runs."""

from __future__ import annotations

import datetime as dt
from typing import cast

import strawberry
from strawberry.scalars import JSON

from api.context import Context
from api.resolvers.counts import last_runs, model_counts
from catalog.queries.stats import RunRow


@strawberry.type(description="A harvest run, for operations dashboards.")
class HarvestRun:
    id: strawberry.ID
    platform: str
    kind: str = strawberry.field(description="full or incremental")
    status: str = strawberry.field(description="running, succeeded, failed, interrupted")
    started_at: dt.datetime
    finished_at: dt.datetime | None
    counts: JSON = strawberry.field(description="models seen, inserted, updated, failed, ...")
    error_summary: str | None

    @classmethod
    def from_row(cls, row: RunRow) -> HarvestRun:
        """Build from a query row."""
        return cls(
            id=strawberry.ID(str(row.id)),
            platform=row.platform,
            kind=row.kind,
            status=row.status,
            started_at=row.started_at,
            finished_at=row.finished_at,
            counts=cast(JSON, row.counts),
            error_summary=row.error_summary,
        )


@strawberry.type(description="A hub the catalog harvests.")
class Platform:
    slug: str
    name: str
    url: str | None

    @strawberry.field(description="Live (not removed) models of this platform.")
    def model_count(self, info: strawberry.Info[Context, None]) -> int:
        return model_counts(info.context, "platform").get(self.slug, 0)

    @strawberry.field(description="The most recent harvest run of this platform.")
    def last_harvest(self, info: strawberry.Info[Context, None]) -> HarvestRun | None:
        run = last_runs(info.context).get(self.slug)
        return HarvestRun.from_row(run) if run else None


@strawberry.type(description="A data modality (vision, language, ...).")
class Modality:
    slug: str
    name: str

    @strawberry.field(description="Live models working on this modality.")
    def model_count(self, info: strawberry.Info[Context, None]) -> int:
        return model_counts(info.context, "modality").get(self.slug, 0)


@strawberry.type(description="A canonical task (Hugging Face pipeline tag).")
class Task:
    slug: str
    name: str
    modality: str = strawberry.field(description="Slug of the task's modality.")

    @strawberry.field(description="Live models performing this task.")
    def model_count(self, info: strawberry.Info[Context, None]) -> int:
        return model_counts(info.context, "task").get(self.slug, 0)


@strawberry.type(description="A weight or serialization format.")
class Format:
    slug: str
    name: str

    @strawberry.field(description="Live models available in this format.")
    def model_count(self, info: strawberry.Info[Context, None]) -> int:
        return model_counts(info.context, "format").get(self.slug, 0)
