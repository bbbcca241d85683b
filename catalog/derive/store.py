"""SQL of the derived layer: read facts and lineage of many models, write derivations.

Every function works on a whole set of model ids in one statement (arrays unnested
server-side), inside the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from catalog.derive.facts import ModelFacts
from catalog.derive.licenses import EffectiveLicense, Inherited
from catalog.derive.model import Derivation
from catalog.loader.sql import columns, execute, json_text
from catalog.records import FormatRecord

BASE_RELATIONS = ("finetune", "adapter")  # children whose existence says "it was trained"
MAX_DEPTH = 50  # lineage edges walked up from a model, as `catalog.queries.lineage` walks

_FACTS = """
SELECT m.id, p.slug, m.external_id, m.name, lib.slug, lic.slug, m.parameters, m.extra,
  (SELECT array_agg(t.slug ORDER BY t.slug) FROM model_tasks a
     JOIN tasks t ON t.id = a.task_id WHERE a.model_id = m.id),
  (SELECT array_agg(g.name ORDER BY g.name) FROM model_tags a
     JOIN tags g ON g.id = a.tag_id WHERE a.model_id = m.id),
  (SELECT json_agg(json_build_array(f.slug, a.variants, a.file_count, a.total_bytes)
     ORDER BY f.slug) FROM model_formats a JOIN formats f ON f.id = a.format_id
     WHERE a.model_id = m.id),
  (SELECT array_agg(l.relation ORDER BY l.id) FROM model_lineage l WHERE l.child_id = m.id)
FROM unnest(CAST(:ids AS bigint[])) AS i(id)
JOIN models m ON m.id = i.id
JOIN platforms p ON p.id = m.platform_id
LEFT JOIN libraries lib ON lib.id = m.library_id
LEFT JOIN licenses lic ON lic.id = m.license_id
"""

# Every ancestor of each root, with the shortest depth and its declared license. `path`
# holds the models walked so far, so a cycle ends the walk; an edge whose parent is not
# in the catalog yet is reported by reference (id null).
_ANCESTORS = f"""
WITH RECURSIVE w(root, id, depth, path, ref) AS (
    SELECT l.child_id, l.parent_id, 1, ARRAY[l.child_id], p.slug || ':' || l.parent_external_id
    FROM model_lineage l JOIN platforms p ON p.id = l.parent_platform_id
    WHERE l.child_id = ANY(CAST(:ids AS bigint[]))
    UNION ALL
    SELECT w.root, l.parent_id, w.depth + 1, w.path || w.id,
           p.slug || ':' || l.parent_external_id
    FROM w JOIN model_lineage l ON l.child_id = w.id
    JOIN platforms p ON p.id = l.parent_platform_id
    WHERE w.id IS NOT NULL AND NOT w.id = ANY(w.path) AND w.depth < {MAX_DEPTH}
)
SELECT DISTINCT ON (w.root, w.ref) w.root, w.id, w.depth, w.ref, lic.slug
FROM w
LEFT JOIN models m ON m.id = w.id
LEFT JOIN licenses lic ON lic.id = m.license_id
WHERE w.id IS DISTINCT FROM w.root
ORDER BY w.root, w.ref, w.depth
"""

_DESCENDANTS = """
WITH RECURSIVE d(id) AS (
    SELECT child_id FROM model_lineage WHERE parent_id = ANY(CAST(:ids AS bigint[]))
    UNION  -- not ALL: a model seen before ends the walk, so cycles terminate
    SELECT l.child_id FROM model_lineage l JOIN d ON l.parent_id = d.id
)
SELECT id FROM d
"""

# One child per model that names it as its fine-tuning base (LIMIT 1: a popular base has
# tens of thousands; one proves the point).
_BASE_OF = """
SELECT i.id, ex.ref FROM unnest(CAST(:ids AS bigint[])) AS i(id)
CROSS JOIN LATERAL (
    SELECT p.slug || ':' || m.external_id AS ref
    FROM model_lineage l
    JOIN models m ON m.id = l.child_id
    JOIN platforms p ON p.id = m.platform_id
    WHERE l.parent_id = i.id AND l.child_id <> i.id
      AND l.relation = ANY(CAST(:relations AS text[]))
    ORDER BY l.child_id LIMIT 1
) AS ex
"""

_STORED = """
SELECT model_id, evidence -> 'license', evidence ->> 'base_of', evidence ? 'usage'
FROM model_derivations WHERE model_id = ANY(CAST(:ids AS bigint[]))
"""

_LICENSE_SET = (
    "license_class_id = excluded.license_class_id, "
    "effective_licenses = excluded.effective_licenses, "
    "license_conflict = excluded.license_conflict, commercial_use = excluded.commercial_use"
)
_UPSERT = f"""
INSERT INTO model_derivations AS d (model_id, feature_extraction, fine_tuning, zero_shot,
    memory_bytes, license_class_id, effective_licenses, license_conflict, commercial_use,
    evidence, derived_at)
SELECT t.m, t.fe, t.ft, t.zs, t.mem, c.id,
       ARRAY(SELECT jsonb_array_elements_text(t.lic::jsonb)), t.conflict, t.commercial,
       t.ev::jsonb, now()
FROM unnest(CAST(:m AS bigint[]), CAST(:fe AS bool[]), CAST(:ft AS bool[]),
            CAST(:zs AS bool[]), CAST(:mem AS bigint[]), CAST(:cls AS text[]),
            CAST(:lic AS text[]), CAST(:conflict AS bool[]), CAST(:commercial AS bool[]),
            CAST(:ev AS text[]))
     AS t(m, fe, ft, zs, mem, cls, lic, conflict, commercial, ev)
LEFT JOIN license_classes c ON c.slug = t.cls
ORDER BY t.m
ON CONFLICT (model_id) DO UPDATE SET feature_extraction = excluded.feature_extraction,
    fine_tuning = excluded.fine_tuning, zero_shot = excluded.zero_shot,
    memory_bytes = excluded.memory_bytes, {_LICENSE_SET}, evidence = excluded.evidence,
    derived_at = excluded.derived_at
-- A reloaded model whose derivation did not change (its downloads did) keeps its row
-- version: no dead tuple, no index entries.
WHERE (d.feature_extraction, d.fine_tuning, d.zero_shot, d.memory_bytes, d.license_class_id,
       d.effective_licenses, d.license_conflict, d.commercial_use, d.evidence)
  IS DISTINCT FROM (excluded.feature_extraction, excluded.fine_tuning, excluded.zero_shot,
       excluded.memory_bytes, excluded.license_class_id, excluded.effective_licenses,
       excluded.license_conflict, excluded.commercial_use, excluded.evidence)
"""
# Lineage changes touch only the license part of descendants' rows.
_UPSERT_LICENSE = f"""
INSERT INTO model_derivations AS d (model_id, license_class_id, effective_licenses,
    license_conflict, commercial_use, evidence, derived_at)
SELECT t.m, c.id, ARRAY(SELECT jsonb_array_elements_text(t.lic::jsonb)), t.conflict,
       t.commercial, jsonb_build_object('license', t.ev::jsonb), now()
FROM unnest(CAST(:m AS bigint[]), CAST(:cls AS text[]), CAST(:lic AS text[]),
            CAST(:conflict AS bool[]), CAST(:commercial AS bool[]), CAST(:ev AS text[]))
     AS t(m, cls, lic, conflict, commercial, ev)
LEFT JOIN license_classes c ON c.slug = t.cls
ORDER BY t.m
ON CONFLICT (model_id) DO UPDATE SET {_LICENSE_SET},
    evidence = d.evidence || jsonb_build_object('license', excluded.evidence -> 'license'),
    derived_at = excluded.derived_at
"""
# The USAGE facet rows: one per usage decided true; others of these models go.
_USAGES = """
WITH new AS (
    SELECT t.m, u.id AS u FROM unnest(CAST(:m AS bigint[]), CAST(:u AS text[])) AS t(m, slug)
    JOIN usages u ON u.slug = t.slug
), gone AS (
    DELETE FROM model_usages x WHERE x.model_id = ANY(CAST(:ids AS bigint[]))
    AND (x.model_id, x.usage_id) NOT IN (SELECT m, u FROM new)
)
INSERT INTO model_usages (model_id, usage_id) SELECT m, u FROM new ORDER BY m, u
ON CONFLICT DO NOTHING
"""


@dataclass(frozen=True, slots=True)
class Stored:
    """What the last derivation of a model recorded, for deciding what changed."""

    license: Any
    base_of: str | None
    has_usage: bool


def read_facts(session: Session, ids: Collection[int]) -> dict[int, ModelFacts]:
    """The facts of models, read back from the catalog tables."""
    if not ids:
        return {}
    rows = execute(session, _FACTS, {"ids": sorted(ids)}).all()
    found = {}
    for mid, platform, ext, name, lib, lic, params, extra, tasks, tags, fmts, rels in rows:
        found[mid] = ModelFacts(
            platform=platform,
            external_id=ext,
            name=name,
            library=lib,
            license=lic,
            parameters=params,
            tasks=tuple(tasks or ()),
            tags=tuple(tags or ()),
            formats=tuple(
                FormatRecord(slug, tuple(variants or ()), count, size)
                for slug, variants, count, size in fmts or ()
            ),
            extra=extra or {},
            relations=tuple(rels or ()),
        )
    return found


def read_inherited(
    session: Session, ids: Collection[int]
) -> tuple[dict[int, list[Inherited]], dict[int, set[int]]]:
    """Licenses every model inherits from its ancestors, and its direct parents' ids."""
    inherited: dict[int, list[Inherited]] = defaultdict(list)
    parents: dict[int, set[int]] = defaultdict(set)
    if not ids:
        return inherited, parents
    for root, parent, depth, ref, lic in execute(session, _ANCESTORS, {"ids": sorted(ids)}).all():
        inherited[root].append(Inherited(lic, ref, depth, resolved=parent is not None))
        if depth == 1 and parent is not None:
            parents[root].add(parent)
    return inherited, parents


def read_descendants(session: Session, ids: Collection[int]) -> set[int]:
    """Every model derived from any of `ids`, at any depth (cycle-safe)."""
    if not ids:
        return set()
    return {mid for (mid,) in execute(session, _DESCENDANTS, {"ids": sorted(ids)}).all()}


def read_base_of(session: Session, ids: Collection[int]) -> dict[int, str]:
    """For models that other models name as their fine-tuning base: one such child's ref."""
    if not ids:
        return {}
    params = {"ids": sorted(ids), "relations": list(BASE_RELATIONS)}
    return dict(execute(session, _BASE_OF, params).all())


def read_stored(session: Session, ids: Collection[int]) -> dict[int, Stored]:
    """The recorded license evidence and base-of flag of models already derived."""
    if not ids:
        return {}
    rows = execute(session, _STORED, {"ids": sorted(ids)}).all()
    return {mid: Stored(lic, base_of, bool(has)) for mid, lic, base_of, has in rows}


def write(session: Session, derived: Mapping[int, Derivation]) -> None:
    """Store full derivations and their USAGE facet rows."""
    if not derived:
        return
    rows = [
        (
            mid,
            d.usage["feature-extraction"].value,
            d.usage["fine-tuning"].value,
            d.usage["zero-shot"].value,
            d.memory_bytes,
            *_license_columns(d.license),
            json_text(d.evidence_json()),
        )
        for mid, d in sorted(derived.items())
    ]
    names = ("m", "fe", "ft", "zs", "mem", "cls", "lic", "conflict", "commercial", "ev")
    execute(session, _UPSERT, dict(zip(names, columns(rows, len(names)), strict=True)))
    pairs = [(mid, u) for mid, d in sorted(derived.items()) for u in d.usages]
    model_ids, slugs = columns(pairs, 2)
    execute(session, _USAGES, {"m": model_ids, "u": slugs, "ids": sorted(derived)})


def write_licenses(session: Session, found: Mapping[int, EffectiveLicense]) -> None:
    """Store only the license part of derivations (descendants of a changed model)."""
    if not found:
        return
    rows = [
        (mid, *_license_columns(lic), json_text(lic.evidence)) for mid, lic in sorted(found.items())
    ]
    names = ("m", "cls", "lic", "conflict", "commercial", "ev")
    execute(session, _UPSERT_LICENSE, dict(zip(names, columns(rows, len(names)), strict=True)))


def read_declared(session: Session, ids: Collection[int]) -> dict[int, str | None]:
    """The declared license slug of models."""
    if not ids:
        return {}
    sql = (
        "SELECT m.id, l.slug FROM unnest(CAST(:ids AS bigint[])) AS i(id) "
        "JOIN models m ON m.id = i.id LEFT JOIN licenses l ON l.id = m.license_id"
    )
    return dict(execute(session, sql, {"ids": sorted(ids)}).all())


def _license_columns(lic: EffectiveLicense) -> tuple[object, ...]:
    return (lic.license_class, json_text(list(lic.licenses)), lic.conflict, lic.commercial_use)


_SUMMARY = """
SELECT (SELECT count(*) FROM models),
       (SELECT count(*) FROM model_derivations),
       (SELECT count(*) FROM model_derivations WHERE memory_bytes IS NOT NULL),
       (SELECT count(*) FROM model_derivations WHERE license_conflict),
       (SELECT coalesce(json_object_agg(slug, n), '{}') FROM (
           SELECT u.slug, count(mu.model_id) AS n FROM usages u
           LEFT JOIN model_usages mu ON mu.usage_id = u.id GROUP BY u.slug ORDER BY u.slug) s),
       (SELECT coalesce(json_object_agg(slug, n), '{}') FROM (
           SELECT c.slug, count(d.model_id) AS n FROM license_classes c
           LEFT JOIN model_derivations d ON d.license_class_id = c.id
           GROUP BY c.slug ORDER BY c.slug) s)
"""


def summary(session: Session) -> dict[str, Any]:
    """Counts of the derived layer: models derived, per usage and license class."""
    models, derived, memory, conflicts, usages, classes = execute(session, _SUMMARY, {}).all()[0]
    return {
        "models": models,
        "derived": derived,
        "memory_known": memory,
        "license_conflicts": conflicts,
        "usages": usages,
        "license_classes": classes,
    }
