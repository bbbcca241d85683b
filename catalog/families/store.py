"""Families in the database: the tree synced from the vocabulary, model facts read in
bulk, assignments written as differences. A fixed number of statements per call.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from catalog.families.hits import name_hits
from catalog.families.matcher import EXTRA_KEYS, ModelFacts, Verdict
from catalog.families.vocabulary import Vocabulary
from catalog.loader.sql import columns, execute

# One writer of family assignments at a time (harvest batches of several platforms and
# `catalog families rebuild` may run together); held until the transaction ends.
FAMILY_LOCK = 0x6D63_0F41
# Platforms whose format variants name the model (entrypoints, instance slugs).
VARIANT_PLATFORMS = ("pytorch-hub", "kaggle")

_EXTRA = ", ".join(f"m.extra->'{key}'" for key in EXTRA_KEYS)


def lock(session: Session) -> None:
    """Take the family writer lock for the rest of the transaction."""
    execute(session, "SELECT pg_advisory_xact_lock(:id)", {"id": FAMILY_LOCK})


# -- the tree ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SyncResult:
    """Family ids by slug, and the ids whose path changed (their models' paths must too)."""

    ids: dict[str, int]
    moved: list[int]
    changed: bool


def sync_families(session: Session, vocab: Vocabulary) -> SyncResult:
    """Make the `families` table equal to the vocabulary (insert, update, delete)."""
    existing = {
        slug: (fid, name, list(path), kind, parent)
        for fid, slug, name, path, kind, parent in execute(
            session,
            "SELECT f.id, f.slug, f.name, f.path, f.kind, p.slug FROM families f "
            "LEFT JOIN families p ON p.id = f.parent_id",
            {},
        ).all()
    }
    wanted = {f.slug: (f.name, list(f.path), f.kind, f.parent) for f in vocab.families.values()}
    gone = sorted(set(existing) - set(wanted))
    stale = [s for s, row in wanted.items() if s not in existing or existing[s][1:] != row]
    moved = [existing[s][0] for s in stale if s in existing and existing[s][2] != wanted[s][1]]
    if gone:
        # The assignment tables keep no foreign key to families (see migration 0004).
        params = {"ids": [existing[slug][0] for slug in gone]}
        for table in ("model_family_paths", "model_families"):
            execute(
                session, f"DELETE FROM {table} WHERE family_id = ANY(CAST(:ids AS int[]))", params
            )
        execute(session, "DELETE FROM families WHERE slug = ANY(CAST(:s AS text[]))", {"s": gone})
    if stale:
        stale.sort(key=lambda s: (len(wanted[s][1]), s))  # parents first, a stable lock order
        slugs: list[str] = []
        names: list[str] = []
        paths: list[str] = []
        kinds: list[str] = []
        for slug in stale:
            name, path, kind, _parent = wanted[slug]
            slugs.append(slug)
            names.append(name)
            paths.append("\x1f".join(path))
            kinds.append(kind)
        execute(
            session,
            "INSERT INTO families (slug, name, path, depth, kind) "
            "SELECT s, n, a, cardinality(a) - 1, k FROM unnest(CAST(:s AS text[]), "
            "CAST(:n AS text[]), CAST(:p AS text[]), CAST(:k AS text[])) AS t(s, n, p, k) "
            "CROSS JOIN LATERAL string_to_array(t.p, chr(31)) AS a "
            "ON CONFLICT (slug) DO UPDATE SET name = excluded.name, path = excluded.path, "
            "depth = excluded.depth, kind = excluded.kind",
            {"s": slugs, "n": names, "p": paths, "k": kinds},
        )
        execute(
            session,
            "UPDATE families f SET parent_id = p.id "
            "FROM unnest(CAST(:s AS text[]), CAST(:parent AS text[])) AS t(s, parent) "
            "LEFT JOIN families p ON p.slug = t.parent "
            "WHERE f.slug = t.s AND f.parent_id IS DISTINCT FROM p.id",
            {"s": slugs, "parent": [wanted[s][3] for s in slugs]},
        )
    ids = dict(execute(session, "SELECT slug, id FROM families", {}).all())
    return SyncResult(ids, moved, bool(gone or stale))


def last_build_sha(session: Session) -> str | None:
    """The vocabulary digest of the last full rebuild (None before the first)."""
    return execute(
        session,
        "SELECT vocabulary_sha256 FROM family_builds WHERE finished_at IS NOT NULL "
        "ORDER BY id DESC LIMIT 1",
        {},
    ).scalar()


def record_build(
    session: Session, sha: str, started: dt.datetime, models: int, assigned: int
) -> None:
    """Remember a finished full rebuild."""
    execute(
        session,
        "INSERT INTO family_builds (vocabulary_sha256, started_at, finished_at, models, "
        "assigned) VALUES (:sha, :started, now(), :models, :assigned)",
        {"sha": sha, "started": started, "models": models, "assigned": assigned},
    )


# -- reading facts ----------------------------------------------------------------------


@dataclass(slots=True)
class Facts:
    """What the matcher needs of a set of models, with their bases."""

    models: dict[int, ModelFacts] = field(default_factory=dict)
    parents: dict[int, list[tuple[int | None, str, str]]] = field(default_factory=dict)


def relevant_tag_ids(session: Session, vocab: Vocabulary) -> list[int]:
    """Ids of the tags the matcher can use (the others are skipped when reading)."""
    found = []
    for tag_id, name in execute(session, "SELECT id, name FROM tags", {}).all():
        low = name.lower()
        if (
            low in vocab.by_model_type
            or low.startswith("diffusers:")
            or (not low.startswith("collection:") and name_hits(vocab, [name]))
        ):
            found.append(tag_id)
    return found


def read_facts(
    session: Session,
    *,
    ids: Sequence[int] | None = None,
    id_range: tuple[int, int] | None = None,
    tag_ids: Sequence[int] | None = None,
) -> Facts:
    """Facts of the models with the given ids, or with ids in `[low, high)`.

    Args:
        session: The session.
        ids: Model ids to read.
        id_range: Or a range of ids (a chunk of a full rebuild).
        tag_ids: Read only these tags (None: every tag of the models).
    """
    return facts_from_rows(read_rows(session, ids=ids, id_range=id_range, tag_ids=tag_ids))


@dataclass(frozen=True, slots=True)
class FactRows:
    """The rows `read_rows` fetched, before they become `Facts`."""

    models: list[tuple[Any, ...]]
    tasks: list[tuple[Any, ...]]
    tags: list[tuple[Any, ...]]
    variants: list[tuple[Any, ...]]
    parents: list[tuple[Any, ...]]


def read_rows(
    session: Session,
    *,
    ids: Sequence[int] | None = None,
    id_range: tuple[int, int] | None = None,
    tag_ids: Sequence[int] | None = None,
) -> FactRows:
    """The rows behind `read_facts` (a full rebuild fetches them on its database thread
    and turns them into facts on the matching one)."""
    where, params = _model_ids(ids, id_range)
    tag_filter = "" if tag_ids is None else " AND mt.tag_id = ANY(CAST(:tag_ids AS int[]))"
    models = execute(
        session,
        f"SELECT m.id, p.slug, m.external_id, m.name, lib.slug, {_EXTRA} FROM models m "
        "JOIN platforms p ON p.id = m.platform_id "
        f"LEFT JOIN libraries lib ON lib.id = m.library_id WHERE m.id {where}",
        params,
    ).all()
    # Only a few platforms name their models in format variants: look those models up by
    # id rather than every format row of the chunk.
    named = [row[0] for row in models if row[1] in VARIANT_PLATFORMS]
    return FactRows(
        models=models,
        tasks=execute(
            session,
            "SELECT mt.model_id, t.slug FROM model_tasks mt JOIN tasks t ON t.id = mt.task_id "
            f"WHERE mt.model_id {where}",
            params,
        ).all(),
        tags=execute(
            session,
            "SELECT mt.model_id, t.name FROM model_tags mt JOIN tags t ON t.id = mt.tag_id "
            f"WHERE mt.model_id {where}{tag_filter}",
            {**params, "tag_ids": list(tag_ids or [])},
        ).all(),
        variants=execute(
            session,
            "SELECT mf.model_id, coalesce(v->>'entrypoint', v->>'instance') "
            "FROM model_formats mf CROSS JOIN LATERAL "
            "jsonb_array_elements(CASE WHEN jsonb_typeof(mf.variants) = 'array' "
            "THEN mf.variants ELSE '[]'::jsonb END) AS v "
            "WHERE mf.model_id = ANY(CAST(:named AS bigint[])) "
            "AND (v ? 'entrypoint' OR v ? 'instance')",
            {"named": named},
        ).all()
        if named
        else [],
        parents=execute(
            session,
            "SELECT l.child_id, l.parent_id, p.slug, l.parent_external_id FROM model_lineage l "
            f"JOIN platforms p ON p.id = l.parent_platform_id WHERE l.child_id {where} "
            "ORDER BY l.id",
            params,
        ).all(),
    )


def _model_ids(
    ids: Sequence[int] | None, id_range: tuple[int, int] | None
) -> tuple[str, dict[str, Any]]:
    """The condition on a model id column (after the column) and its parameters."""
    if ids is not None:
        return "= ANY(CAST(:ids AS bigint[]))", {"ids": list(ids)}
    assert id_range is not None
    return "BETWEEN :low AND :high - 1", {"low": id_range[0], "high": id_range[1]}


def facts_from_rows(rows: FactRows) -> Facts:
    """The facts of the models in `rows`."""
    tasks, tags, variants = _grouped(rows.tasks), _grouped(rows.tags), _grouped(rows.variants)
    facts = Facts()
    stated = len(EXTRA_KEYS)  # ... fields at most; most models state none of them
    for model_id, platform, external_id, name, library, *extra in rows.models:
        named = variants.get(model_id)
        facts.models[model_id] = ModelFacts(
            platform,
            external_id,
            name,
            library,
            tuple(tasks.get(model_id, ())),
            tuple(tags.get(model_id, ())),
            {k: v for k, v in zip(EXTRA_KEYS, extra, strict=True) if v is not None}
            if extra.count(None) != stated
            else {},
            tuple(dict.fromkeys(v for v in named if v)) if named else (),
        )
    for child, parent, platform, external_id in rows.parents:
        facts.parents.setdefault(child, []).append((parent, platform, external_id))
    return facts


def _grouped(rows: list[tuple[Any, ...]]) -> dict[int, list[Any]]:
    found: dict[int, list[Any]] = defaultdict(list)
    for model_id, value in rows:
        found[model_id].append(value)
    return found


def model_ids_by_ref(
    session: Session, refs: Collection[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Model ids of `(platform, external id)` pairs that the catalog holds."""
    if not refs:
        return {}
    platforms, external_ids = columns(sorted(refs), 2)
    rows = execute(
        session,
        "SELECT p.slug, m.external_id, m.id FROM unnest(CAST(:p AS text[]), "
        "CAST(:e AS text[])) AS t(p, e) JOIN platforms p ON p.slug = t.p "
        "CROSS JOIN LATERAL (SELECT id, external_id FROM models "
        "WHERE platform_id = p.id AND external_id = t.e LIMIT 1) AS m",
        {"p": platforms, "e": external_ids},
    ).all()
    return {(platform, external_id): model_id for platform, external_id, model_id in rows}


def id_bounds(session: Session) -> tuple[int, int]:
    """The smallest and one past the largest model id (0, 0 for an empty catalog)."""
    low, high = execute(session, "SELECT min(id), max(id) FROM models", {}).all()[0]
    return (int(low), int(high) + 1) if low is not None else (0, 0)


def no_assignments(session: Session) -> bool:
    """Whether the catalog stores no family assignment and no family path at all (before a
    first rebuild)."""
    return not execute(
        session,
        "SELECT EXISTS (SELECT 1 FROM model_families) OR EXISTS (SELECT 1 FROM model_family_paths)",
        {},
    ).scalar()


def stored_rows(
    session: Session, *, ids: Sequence[int] | None = None, id_range: tuple[int, int] | None = None
) -> dict[int, tuple[Any, ...]]:
    """Stored assignments as written, by model id: (family id, method, confidence,
    evidence, derivative), for the given ids or ids in `[low, high)`."""
    where, params = _model_ids(ids, id_range)
    rows = execute(
        session,
        "SELECT model_id, family_id, method, confidence, evidence, derivative "
        f"FROM model_families WHERE model_id {where}",
        params,
    ).all()
    return {row[0]: row[1:] for row in rows}


def stored_assignments(session: Session, ids: Iterable[int]) -> dict[int, Verdict]:
    """The assignments the catalog holds for these models."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = execute(
        session,
        "SELECT mf.model_id, f.slug, mf.method, mf.confidence, mf.evidence, mf.derivative "
        "FROM model_families mf JOIN families f ON f.id = mf.family_id "
        "WHERE mf.model_id = ANY(CAST(:ids AS bigint[]))",
        {"ids": wanted},
    ).all()
    return {
        model_id: Verdict(slug, method, confidence, evidence or "", derivative)
        for model_id, slug, method, confidence, evidence, derivative in rows
    }


def dependents(session: Session, ids: Collection[int]) -> set[int]:
    """Models whose family follows these: their lineage children and the models linking
    to them."""
    if not ids:
        return set()
    rows = execute(
        session,
        "SELECT l.child_id FROM model_lineage l WHERE l.parent_id = ANY(CAST(:ids AS bigint[])) "
        "UNION SELECT k.model_id FROM models m JOIN model_links k "
        "ON k.target_platform_id = m.platform_id AND k.target_external_id = m.external_id "
        "WHERE m.id = ANY(CAST(:ids AS bigint[]))",
        {"ids": sorted(ids)},
    ).all()
    return {row[0] for row in rows}
