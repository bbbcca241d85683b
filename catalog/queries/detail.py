"""Model detail in batches: rows by id or ref and their relations, a fixed number of
statements whatever the number of models (what the API's DataLoaders call)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    and_,
    any_,
    bindparam,
    cast,
    func,
    select,
    text,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import TextClause
from sqlalchemy.types import Text

from catalog.models import (
    Author,
    Library,
    License,
    Model,
    ModelMetric,
    Platform,
)
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
    nsfw: bool | None
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
            Model.nsfw,
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


def ids_param() -> Any:
    """The bound array `:ids` of a statement built once (`column = ANY(:ids)`)."""
    return bindparam("ids", type_=ARRAY(BigInteger))


# Built once: constructing a SELECT costs more Python than running it.
_ROWS_BY_IDS = _row_select().where(Model.id == any_(ids_param()))
_ROW_BY_REF = _row_select().where(
    Platform.slug == bindparam("platform"), Model.external_id == bindparam("external_id")
)


def models_by_ids(session: Session, ids: Sequence[int]) -> dict[int, ModelRow]:
    """Model rows by id (missing ids are absent from the result)."""
    if not ids:
        return {}
    rows = session.connection().execute(_ROWS_BY_IDS, {"ids": sorted(set(ids))})
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
        params = {"platform": platform, "external_id": external_id}
        rows = session.connection().execute(_ROW_BY_REF, params)
    else:
        rows = session.connection().execute(_ROWS_BY_REFS, _pair_params(pairs.values()))
    found = {(r[1], r[2]): ModelRow(*r) for r in rows}
    return {ref: found[pair] for ref, pair in pairs.items() if pair in found}


def _is_one_of() -> ColumnElement[bool]:
    """The model is one of the (platform slug, external id) pairs bound as `:slugs` and
    `:externals` (`_pair_params`).

    The ids come from the pairs through the platform and the unique (platform_id,
    external_id) index: a row comparison over the join, `(slug, external_id) IN (...)`,
    read every model (95 ms at 1M models for a comparison of three). Built once, with
    the pairs bound: building it for each request took more time than running it.
    """
    wanted = select(
        func.unnest(bindparam("slugs", type_=ARRAY(Text))).label("slug"),
        func.unnest(bindparam("externals", type_=ARRAY(Text))).label("external_id"),
    ).subquery()
    model, platform = aliased(Model), aliased(Platform)
    ids = (
        select(model.id)
        .select_from(wanted)
        .join(platform, platform.slug == wanted.c.slug)
        .join(
            model,
            and_(model.platform_id == platform.id, model.external_id == wanted.c.external_id),
        )
    )
    return Model.id.in_(ids)


def _pair_params(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    slugs, externals = zip(*sorted(set(pairs)), strict=True)
    return {"slugs": list(slugs), "externals": list(externals)}


_ROWS_BY_REFS = _row_select().where(_is_one_of())
_IDS_BY_REFS = (
    select(Platform.slug, Model.external_id, Model.id)
    .join(Platform, Platform.id == Model.platform_id)
    .where(_is_one_of())
)


def ids_by_refs(session: Session, refs: Sequence[str]) -> dict[str, int]:
    """Model ids of refs (unknown refs are absent from the result)."""
    pairs = {ref: parse_ref(ref) for ref in refs}
    if not pairs:
        return {}
    rows = session.connection().execute(_IDS_BY_REFS, _pair_params(pairs.values()))
    found = {(p, e): mid for p, e, mid in rows.tuples()}
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


@dataclass(frozen=True, slots=True)
class ModelDetail:
    """The list-valued attributes of a model, fetched together."""

    terms: dict[str, list[Term]]
    formats: list[FormatDetail]
    parents: list[tuple[int | None, str, str, str]]


_TERM_SQL = {
    "task": "SELECT json_agg(json_build_array(v.slug, v.name, mo.slug) ORDER BY v.slug) "
    "FROM model_tasks a JOIN tasks v ON v.id = a.task_id "
    "JOIN modalities mo ON mo.id = v.modality_id WHERE a.model_id = m.id",
    "modality": "SELECT json_agg(json_build_array(v.slug, v.name) ORDER BY v.slug) "
    "FROM model_modalities a JOIN modalities v ON v.id = a.modality_id WHERE a.model_id = m.id",
    "language": "SELECT json_agg(json_build_array(v.code, v.name) ORDER BY v.code) "
    "FROM model_languages a JOIN languages v ON v.id = a.language_id WHERE a.model_id = m.id",
    "dataset": "SELECT json_agg(json_build_array(v.slug, v.name) ORDER BY v.slug) "
    "FROM model_datasets a JOIN datasets v ON v.id = a.dataset_id WHERE a.model_id = m.id",
    "tag": "SELECT json_agg(json_build_array(v.name, v.name) ORDER BY v.name) "
    "FROM model_tags a JOIN tags v ON v.id = a.tag_id WHERE a.model_id = m.id",
}
_LIST_SQL = {
    **_TERM_SQL,
    "format": "SELECT json_agg(json_build_array(f.slug, f.name, a.variants, a.file_count, "
    "a.total_bytes) ORDER BY f.slug) FROM model_formats a JOIN formats f ON f.id = a.format_id "
    "WHERE a.model_id = m.id",
    "parent": "SELECT json_agg(json_build_array(l.parent_id, p.slug, l.parent_external_id, "
    "l.relation) ORDER BY l.id) FROM model_lineage l "
    "JOIN platforms p ON p.id = l.parent_platform_id WHERE l.child_id = m.id",
}
DETAIL_PARTS = frozenset(_LIST_SQL)
"""The list attributes `details_by_ids` can fetch: the term fields, "format", "parent"."""


@lru_cache(maxsize=128)
def _details_sql(parts: tuple[str, ...]) -> TextClause:
    # One statement for the list attributes a batch of models needs, whatever the page
    # shows: one round trip, and no subquery for an attribute nobody asked for (a
    # page of formats alone costs a quarter of one with every attribute).
    columns = "".join(f", ({_LIST_SQL[part]})" for part in parts)
    return text(f"SELECT m.id{columns} FROM unnest(CAST(:ids AS bigint[])) AS m(id)")


def details_by_ids(
    session: Session, ids: Sequence[int], parts: Iterable[str] = DETAIL_PARTS
) -> dict[int, ModelDetail]:
    """List attributes of several models in one statement: the term fields of `parts`,
    their formats ("format") and their parents ("parent"); the others are left empty.

    Raises:
        ValueError: a part that is not one of `DETAIL_PARTS`.
    """
    wanted = tuple(sorted(set(parts)))
    unknown = set(wanted) - DETAIL_PARTS
    if unknown:
        raise ValueError(f"unknown detail parts {sorted(unknown)}")
    found = {}
    for model_id, *values in session.connection().execute(
        _details_sql(wanted), {"ids": sorted(set(ids))}
    ):
        got = dict(zip(wanted, values, strict=True))
        found[model_id] = ModelDetail(
            terms={
                field: [Term(*t) for t in got[field] or []] for field in _TERM_SQL if field in got
            },
            formats=[FormatDetail(*f) for f in got.get("format") or []],
            parents=[tuple(p) for p in got.get("parent") or []],
        )
    return found


def _metrics_select(bounded: bool) -> Any:
    """The history of the models `:ids` (since `:since`)."""
    conds: list[ColumnElement[bool]] = [ModelMetric.model_id == any_(ids_param())]
    if bounded:
        conds.append(ModelMetric.observed_at >= bindparam("since"))
    return (
        select(
            ModelMetric.model_id, ModelMetric.observed_at, ModelMetric.downloads, ModelMetric.likes
        )
        .where(and_(*conds))
        .order_by(ModelMetric.model_id, ModelMetric.observed_at)
    )


_METRICS = {bounded: _metrics_select(bounded) for bounded in (False, True)}


def metrics_by_model(
    session: Session, ids: Sequence[int], since: dt.datetime | None
) -> dict[int, list[MetricPoint]]:
    """Downloads/likes history of several models, oldest first."""
    params = {"ids": sorted(set(ids)), "since": since}
    rows = session.connection().execute(_METRICS[since is not None], params)
    found: dict[int, list[MetricPoint]] = defaultdict(list)
    for model_id, observed_at, downloads, likes in rows.tuples():
        found[model_id].append(MetricPoint(observed_at, downloads, likes))
    return found
