"""Model detail in batches: rows by id or ref and their relations, a fixed number of
statements whatever the number of models (what the API's DataLoaders call)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, select, tuple_
from sqlalchemy.orm import Session

from catalog.models import (
    Author,
    Format,
    Library,
    License,
    Modality,
    Model,
    ModelFormat,
    ModelMetric,
    Platform,
    Task,
)
from catalog.queries.dimensions import DIMENSIONS, slug_column
from catalog.queries.errors import QueryError


@dataclass(frozen=True, slots=True)
class ModelRow:
    """One model with its single-valued attributes resolved to slugs."""

    id: int
    platform: str
    external_id: str
    name: str
    author: str | None
    author_name: str | None
    url: str | None
    summary: str | None
    description: str | None
    license: str | None
    library: str | None
    parameters: int | None
    downloads: int | None
    downloads_all_time: int | None
    likes: int | None
    trending_score: float | None
    created_at: dt.datetime | None
    last_modified: dt.datetime | None
    gated: str | None
    removed_at: dt.datetime | None
    extra: dict[str, Any]

    @property
    def ref(self) -> str:
        """`<platform>:<externalId>`."""
        return f"{self.platform}:{self.external_id}"


@dataclass(frozen=True, slots=True)
class Term:
    """A vocabulary value of a model: slug, display name, and (tasks) the modality."""

    slug: str
    name: str | None
    modality: str | None = None


@dataclass(frozen=True, slots=True)
class FormatDetail:
    """A format a model is available in, with variants and sizes."""

    slug: str
    name: str
    variants: list[dict[str, Any]]
    file_count: int | None
    total_bytes: int | None


@dataclass(frozen=True, slots=True)
class MetricPoint:
    """Downloads and likes of a model at one moment."""

    observed_at: dt.datetime
    downloads: int | None
    likes: int | None


def _row_select() -> Any:
    return (
        select(
            Model.id,
            Platform.slug,
            Model.external_id,
            Model.name,
            Author.slug,
            Author.display_name,
            Model.url,
            Model.summary,
            Model.description,
            License.slug,
            Library.slug,
            Model.parameters,
            Model.downloads,
            Model.downloads_all_time,
            Model.likes,
            Model.trending_score,
            Model.created_at,
            Model.last_modified,
            Model.gated,
            Model.removed_at,
            Model.extra,
        )
        .join(Platform, Platform.id == Model.platform_id)
        .outerjoin(Author, Author.id == Model.author_id)
        .outerjoin(License, License.id == Model.license_id)
        .outerjoin(Library, Library.id == Model.library_id)
    )


def models_by_ids(session: Session, ids: Sequence[int]) -> dict[int, ModelRow]:
    """Model rows by id (missing ids are absent from the result)."""
    if not ids:
        return {}
    rows = session.execute(_row_select().where(Model.id.in_(list(set(ids))))).tuples()
    return {row[0]: ModelRow(*row) for row in rows}


def parse_ref(ref: str) -> tuple[str, str]:
    """Split `<platform>:<externalId>`.

    Raises:
        QueryError: the ref has no platform part.
    """
    platform, sep, external_id = ref.partition(":")
    if not sep or not platform or not external_id:
        raise QueryError(
            f"ref {ref!r} is not '<platform>:<externalId>' "
            "(e.g. 'huggingface:google-bert/bert-base-uncased')"
        )
    return platform, external_id


def ids_by_refs(session: Session, refs: Sequence[str]) -> dict[str, int]:
    """Model ids of refs (unknown refs are absent from the result)."""
    pairs = {ref: parse_ref(ref) for ref in refs}
    if not pairs:
        return {}
    stmt = (
        select(Platform.slug, Model.external_id, Model.id)
        .join(Platform, Platform.id == Model.platform_id)
        .where(tuple_(Platform.slug, Model.external_id).in_(list(set(pairs.values()))))
    )
    found = {(p, e): mid for p, e, mid in session.execute(stmt).tuples()}
    return {ref: found[pair] for ref, pair in pairs.items() if pair in found}


def terms_by_model(session: Session, field: str, ids: Sequence[int]) -> dict[int, list[Term]]:
    """Values of a multi-valued facet (`task`, `modality`, `language`, `dataset`, `tag`)
    for several models, sorted by slug."""
    dim = DIMENSIONS[field]
    assoc = dim.assoc
    slug = slug_column(dim)
    label = getattr(dim.vocab, dim.label_attr)
    cols: list[Any] = [assoc.model_id, slug, label]
    stmt = select(*cols).join(dim.vocab, dim.vocab.id == getattr(assoc, str(dim.assoc_attr)))
    if field == "task":
        stmt = stmt.add_columns(Modality.slug).join(Modality, Modality.id == Task.modality_id)
    stmt = stmt.where(assoc.model_id.in_(list(ids))).order_by(assoc.model_id, slug)
    found: dict[int, list[Term]] = defaultdict(list)
    for row in session.execute(stmt).tuples():
        found[row[0]].append(Term(*row[1:]))
    return found


def formats_by_model(session: Session, ids: Sequence[int]) -> dict[int, list[FormatDetail]]:
    """Formats of several models with their variant detail, sorted by slug."""
    stmt = (
        select(
            ModelFormat.model_id,
            Format.slug,
            Format.name,
            ModelFormat.variants,
            ModelFormat.file_count,
            ModelFormat.total_bytes,
        )
        .join(Format, Format.id == ModelFormat.format_id)
        .where(ModelFormat.model_id.in_(list(ids)))
        .order_by(ModelFormat.model_id, Format.slug)
    )
    found: dict[int, list[FormatDetail]] = defaultdict(list)
    for model_id, *rest in session.execute(stmt).tuples():
        found[model_id].append(FormatDetail(*rest))
    return found


def metrics_by_model(
    session: Session, ids: Sequence[int], since: dt.datetime | None
) -> dict[int, list[MetricPoint]]:
    """Downloads/likes history of several models, oldest first."""
    conds: list[ColumnElement[bool]] = [ModelMetric.model_id.in_(list(ids))]
    if since is not None:
        conds.append(ModelMetric.observed_at >= since)
    stmt = (
        select(
            ModelMetric.model_id, ModelMetric.observed_at, ModelMetric.downloads, ModelMetric.likes
        )
        .where(and_(*conds))
        .order_by(ModelMetric.model_id, ModelMetric.observed_at)
    )
    found: dict[int, list[MetricPoint]] = defaultdict(list)
    for model_id, observed_at, downloads, likes in session.execute(stmt).tuples():
        found[model_id].append(MetricPoint(observed_at, downloads, likes))
    return found
