"""Query builders for model families: the tree, assignments, same-release links, lists.

Every function takes a batch of ids and costs one statement, for the API's DataLoaders.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, any_, func, literal, or_, select, text
from sqlalchemy.orm import Session, aliased

from catalog.models import FAMILY_KINDS, Family, Model, ModelFamily, ModelFamilyPath, Platform
from catalog.queries.errors import QueryError, invalid_value_error
from catalog.queries.filters import MAX_PAGE

PER_PLATFORM = 3  # models per platform a family comparison lines up


@dataclass(frozen=True, slots=True)
class FamilyRow:
    """A family of the tree."""

    id: int
    slug: str
    name: str
    parent_id: int | None
    path: tuple[str, ...]
    depth: int
    kind: str


@dataclass(frozen=True, slots=True)
class AssignmentRow:
    """A model's family and the evidence for it."""

    family_id: int
    method: str
    confidence: float
    evidence: str | None
    derivative: bool


@dataclass(frozen=True, slots=True)
class SameAsRow:
    """Another model of the same release."""

    model_id: int
    method: str
    confidence: float


_COLUMNS = (
    Family.id,
    Family.slug,
    Family.name,
    Family.parent_id,
    Family.path,
    Family.depth,
    Family.kind,
)


def _row(values: Sequence[object]) -> FamilyRow:
    fid, slug, name, parent_id, path, depth, kind = values
    return FamilyRow(fid, slug, name, parent_id, tuple(path), depth, kind)  # type: ignore[arg-type]


def families_by_ids(session: Session, ids: Sequence[int]) -> dict[int, FamilyRow]:
    """Families by id."""
    rows = session.execute(select(*_COLUMNS).where(Family.id.in_(sorted(set(ids))))).all()
    return {row[0]: _row(row) for row in rows}


def family_by_slug(session: Session, slug: str) -> FamilyRow | None:
    """One family by slug (None when unknown)."""
    row = session.execute(select(*_COLUMNS).where(Family.slug == slug)).first()
    return _row(row) if row else None


def families_with_ancestors(session: Session, slugs: Sequence[str]) -> dict[str, FamilyRow]:
    """These families and every family on their paths, by slug (unknown slugs are left
    out), in one statement."""
    paths = select(func.unnest(Family.path)).where(Family.slug.in_(sorted(set(slugs))))
    rows = session.execute(select(*_COLUMNS).where(Family.slug.in_(paths))).all()
    return {row[1]: _row(row) for row in rows}


@dataclass(frozen=True, slots=True)
class ModelFamilyInfo:
    """A model's family with the evidence, and the family's path (root first)."""

    assignment: AssignmentRow
    path: list[FamilyRow]


def model_family(session: Session, model_id: int) -> ModelFamilyInfo | None:
    """The family of one model with every family on its path, in one statement (None
    when the model has no family)."""
    path_family = aliased(Family)
    stmt = (
        select(
            ModelFamily.family_id,
            ModelFamily.method,
            ModelFamily.confidence,
            ModelFamily.evidence,
            ModelFamily.derivative,
            *(getattr(path_family, c.key) for c in _COLUMNS),
        )
        .join(Family, Family.id == ModelFamily.family_id)
        .join(path_family, path_family.slug == any_(Family.path))
        .where(ModelFamily.model_id == model_id)
        .order_by(path_family.depth)
    )
    rows = session.execute(stmt).all()
    if not rows:
        return None
    return ModelFamilyInfo(AssignmentRow(*rows[0][:5]), [_row(row[5:]) for row in rows])


def children_by_parent(session: Session, parent_ids: Sequence[int]) -> dict[int, list[FamilyRow]]:
    """The children of each family, by name."""
    stmt = (
        select(*_COLUMNS)
        .where(Family.parent_id.in_(sorted(set(parent_ids))))
        .order_by(Family.name, Family.slug)
    )
    found: dict[int, list[FamilyRow]] = defaultdict(list)
    for row in session.execute(stmt).all():
        family = _row(row)
        assert family.parent_id is not None
        found[family.parent_id].append(family)
    return found


def platforms_by_family(session: Session, family_ids: Sequence[int]) -> dict[int, list[str]]:
    """Slugs of the platforms with live models in each family (sub-families included)."""
    stmt = (
        select(ModelFamilyPath.family_id, Platform.slug)
        .join(Model, Model.id == ModelFamilyPath.model_id)
        .join(Platform, Platform.id == Model.platform_id)
        .where(ModelFamilyPath.family_id.in_(sorted(set(family_ids))), Model.removed_at.is_(None))
        .group_by(ModelFamilyPath.family_id, Platform.slug, Platform.id)
        .order_by(ModelFamilyPath.family_id, Platform.id)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for family_id, slug in session.execute(stmt).tuples():
        found[family_id].append(slug)
    return found


def assignments_by_model(session: Session, model_ids: Sequence[int]) -> dict[int, AssignmentRow]:
    """The family assignment of each model that has one."""
    stmt = select(
        ModelFamily.model_id,
        ModelFamily.family_id,
        ModelFamily.method,
        ModelFamily.confidence,
        ModelFamily.evidence,
        ModelFamily.derivative,
    ).where(ModelFamily.model_id.in_(sorted(set(model_ids))))
    return {row[0]: AssignmentRow(*row[1:]) for row in session.execute(stmt).tuples()}


def same_as(session: Session, model_ids: Sequence[int], first: int) -> dict[int, list[SameAsRow]]:
    """Other live models of the same release (a leaf family, neither model a derivative),
    most downloaded first, at most `first` per model."""
    if not 0 <= first <= MAX_PAGE:
        raise QueryError(f"first must be between 0 and {MAX_PAGE}, got {first}")
    rows = session.execute(
        text(
            "SELECT a.model_id, o.model_id, o.method, least(a.confidence, o.confidence) "
            "FROM model_families a JOIN families f ON f.id = a.family_id AND f.kind = 'release' "
            "CROSS JOIN LATERAL (SELECT mf.model_id, mf.method, mf.confidence, m.downloads "
            "  FROM model_families mf JOIN models m ON m.id = mf.model_id "
            "  WHERE mf.family_id = a.family_id AND NOT mf.derivative "
            "  AND mf.model_id <> a.model_id AND m.removed_at IS NULL "
            "  ORDER BY m.downloads DESC NULLS LAST, m.id LIMIT :first) AS o "
            "WHERE a.model_id = ANY(CAST(:ids AS bigint[])) AND NOT a.derivative "
            "ORDER BY a.model_id, o.downloads DESC NULLS LAST, o.model_id"
        ),
        {"ids": sorted(set(model_ids)), "first": first},
    ).tuples()
    found: dict[int, list[SameAsRow]] = defaultdict(list)
    for model_id, other, method, confidence in rows:
        found[model_id].append(SameAsRow(other, method, confidence))
    return found


@dataclass(frozen=True, slots=True)
class DerivativeCount:
    """Derivatives of a family's models on one platform, by lineage relation."""

    platform: str
    relation: str
    models: int


def derivatives_by_family(
    session: Session, family_ids: Sequence[int]
) -> dict[int, list[DerivativeCount]]:
    """How many live fine-tunes, adapters, quantizations and merges each family holds,
    per platform (a model with two relations counts under each)."""
    rows = session.execute(
        text(
            "SELECT mp.family_id, p.slug, l.relation, count(DISTINCT m.id) "
            "FROM model_family_paths mp "
            "JOIN model_families mf ON mf.model_id = mp.model_id AND mf.derivative "
            "JOIN models m ON m.id = mp.model_id AND m.removed_at IS NULL "
            "JOIN platforms p ON p.id = m.platform_id "
            "JOIN model_lineage l ON l.child_id = m.id "
            "WHERE mp.family_id = ANY(CAST(:ids AS int[])) "
            "GROUP BY mp.family_id, p.slug, p.id, l.relation "
            "ORDER BY mp.family_id, p.id, l.relation"
        ),
        {"ids": sorted(set(family_ids))},
    ).tuples()
    found: dict[int, list[DerivativeCount]] = defaultdict(list)
    for family_id, platform, relation, models in rows:
        found[family_id].append(DerivativeCount(platform, relation, models))
    return found


def family_compare_ids(session: Session, slug: str, per_platform: int = PER_PLATFORM) -> list[int]:
    """Models that line up a family across hubs: on each platform the most downloaded
    live models of the family (sub-families included) that are not derivatives.

    Raises:
        QueryError: the family is unknown.
    """
    family = family_by_slug(session, slug)
    if family is None:
        raise QueryError(f"unknown family {slug!r}; list them with families(search: ...)")
    ranked = (
        select(
            Model.id.label("id"),
            Model.platform_id.label("platform_id"),
            func.row_number()
            .over(
                partition_by=Model.platform_id,
                order_by=(Model.downloads.desc().nulls_last(), Model.id),
            )
            .label("rank"),
        )
        .join(ModelFamilyPath, ModelFamilyPath.model_id == Model.id)
        .join(ModelFamily, ModelFamily.model_id == Model.id)
        .where(
            ModelFamilyPath.family_id == family.id,
            ModelFamily.derivative.is_(False),
            Model.removed_at.is_(None),
        )
        .subquery()
    )
    stmt = (
        select(ranked.c.id)
        .where(ranked.c.rank <= per_platform)
        .order_by(ranked.c.platform_id, ranked.c.rank)
    )
    return list(session.execute(stmt).scalars())


@dataclass(frozen=True, slots=True)
class FamilyPage:
    """A page of families in slug order."""

    rows: list[FamilyRow]
    total: int
    has_next: bool


def encode_family_cursor(slug: str) -> str:
    """An opaque cursor after a family."""
    return base64.urlsafe_b64encode(f"family:{slug}".encode()).decode().rstrip("=")


def _decode(after: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise QueryError("after: not a cursor returned by this API") from exc
    if not raw.startswith("family:"):
        raise QueryError("after: not a cursor returned by this API")
    return raw.removeprefix("family:")


def list_families(
    session: Session,
    *,
    search: str | None = None,
    parent: str | None = None,
    kind: str | None = None,
    first: int = 20,
    after: str | None = None,
) -> FamilyPage:
    """Families by slug: the roots, or a family's children (`parent`); with `search` (text
    in the slug or name) or `kind` (architecture, line, release), every such family at any
    depth (below `parent` when given).

    Raises:
        QueryError: `first` out of range, an unknown parent or kind, or a foreign cursor.
    """
    if not 0 <= first <= MAX_PAGE:
        raise QueryError(f"first must be between 0 and {MAX_PAGE}, got {first}")
    if kind is not None and kind not in FAMILY_KINDS:
        raise invalid_value_error("kind", [kind], FAMILY_KINDS)
    text_search = (search or "").strip()
    anywhere = bool(text_search or kind)
    conds = []
    if parent is not None:
        found = family_by_slug(session, parent)
        if found is None:
            raise QueryError(f"unknown family {parent!r} for parent")
        within = literal(parent) == any_(Family.path) if anywhere else Family.parent_id == found.id
        conds.append(and_(within, Family.id != found.id))
    elif not anywhere:
        conds.append(Family.parent_id.is_(None))
    if kind is not None:
        conds.append(Family.kind == kind)
    if text_search:
        pattern = f"%{text_search.lower()}%"
        conds.append(or_(Family.slug.like(pattern), func.lower(Family.name).like(pattern)))
    total = session.execute(select(func.count()).select_from(Family).where(*conds)).scalar_one()
    if after is not None:
        conds.append(Family.slug > _decode(after))
    stmt = select(*_COLUMNS).where(*conds).order_by(Family.slug).limit(first + 1)
    rows = [_row(row) for row in session.execute(stmt).all()]
    return FamilyPage(rows[:first], total, len(rows) > first)
