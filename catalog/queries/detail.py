"""Model detail in batches: rows by id or ref and their relations, a fixed number of
statements whatever the number of models (what the API's DataLoaders call)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    Text,
    and_,
    any_,
    cast,
    literal,
    null,
    select,
    tuple_,
    union_all,
)
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
    platform_name: str
    platform_url: str | None

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
            Platform.name,
            Platform.url,
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
    rows = session.execute(_row_select().where(any_id(Model.id, ids))).tuples()
    return {row[0]: ModelRow(*row) for row in rows}


def any_id(column: Any, ids: Iterable[int]) -> ColumnElement[bool]:
    """`column = ANY(:ids)`: one statement text for any number of ids, so the server
    can reuse its plan (an IN list renders differently for every length)."""
    return column == any_(cast(sorted(set(ids)), ARRAY(BigInteger)))


def models_by_refs(session: Session, refs: Sequence[str]) -> dict[str, ModelRow]:
    """Model rows of refs (unknown refs are absent from the result)."""
    pairs = {ref: parse_ref(ref) for ref in refs}
    if not pairs:
        return {}
    if len(pairs) == 1:
        ((platform, external_id),) = pairs.values()
        cond = and_(Platform.slug == platform, Model.external_id == external_id)
    else:
        cond = tuple_(Platform.slug, Model.external_id).in_(list(set(pairs.values())))
    found = {(r[1], r[2]): ModelRow(*r) for r in session.execute(_row_select().where(cond))}
    return {ref: found[pair] for ref, pair in pairs.items() if pair in found}


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


TERM_FIELDS = ("task", "modality", "language", "dataset", "tag")


def _terms_select(field: str, ids: Sequence[int]) -> Any:
    dim = DIMENSIONS[field]
    assoc = dim.assoc
    label = getattr(dim.vocab, dim.label_attr)
    modality: Any = Modality.slug if field == "task" else cast(null(), Text)
    stmt = select(
        assoc.model_id, literal(field).label("field"), slug_column(dim), label, modality
    ).join(dim.vocab, dim.vocab.id == getattr(assoc, str(dim.assoc_attr)))
    if field == "task":
        stmt = stmt.join(Modality, Modality.id == Task.modality_id)
    return stmt.where(any_id(assoc.model_id, ids))


def all_terms_by_model(session: Session, ids: Sequence[int]) -> dict[int, dict[str, list[Term]]]:
    """Tasks, modalities, languages, datasets and tags of several models in one
    statement: model id -> field -> values sorted by slug."""
    stmt = union_all(*(_terms_select(field, ids) for field in TERM_FIELDS))
    found: dict[int, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for model_id, field, slug, name, modality in session.execute(stmt).tuples():
        found[model_id][field].append(Term(slug, name, modality))
    for fields in found.values():
        for terms in fields.values():
            terms.sort(key=lambda t: t.slug)
    return found


def terms_by_model(session: Session, field: str, ids: Sequence[int]) -> dict[int, list[Term]]:
    """Values of one multi-valued facet for several models, sorted by slug."""
    rows = session.execute(_terms_select(field, ids)).tuples()
    found: dict[int, list[Term]] = defaultdict(list)
    for model_id, _field, slug, name, modality in rows:
        found[model_id].append(Term(slug, name, modality))
    for terms in found.values():
        terms.sort(key=lambda t: t.slug)
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
        .where(any_id(ModelFormat.model_id, ids))
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
    conds: list[ColumnElement[bool]] = [any_id(ModelMetric.model_id, ids)]
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
