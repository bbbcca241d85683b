"""Upsert a batch of normalized models with every association, lineage and metric."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from catalog.derive import facts_of
from catalog.derive import refresh as derived
from catalog.loader import associations
from catalog.loader.sql import columns, execute, json_text
from catalog.loader.vocabulary import VocabularyIds
from catalog.provenance import as_rows
from catalog.records import NormalizedModel

_MODEL_COLUMNS = (
    ("external_id", "text"),
    ("name", "text"),
    ("author_id", "int"),
    ("url", "text"),
    ("summary", "text"),
    ("description", "text"),
    ("license_id", "int"),
    ("library_id", "int"),
    ("parameters", "bigint"),
    ("downloads", "bigint"),
    ("downloads_all_time", "bigint"),
    ("likes", "bigint"),
    ("trending_score", "float8"),
    ("created_at", "timestamptz"),
    ("last_modified", "timestamptz"),
    ("gated", "text"),
    ("nsfw", "bool"),
    ("keywords", "text"),
    ("extra", "jsonb"),
    ("provenance_set_id", "int"),
)
_NAMES = [name for name, _ in _MODEL_COLUMNS]
_UNNEST = ", ".join(
    f"CAST(:{name} AS {'text' if typ == 'jsonb' else typ}[])" for name, typ in _MODEL_COLUMNS
)
_SELECT = ", ".join(
    f"t.{name}::jsonb" if typ == "jsonb" else f"t.{name}" for name, typ in _MODEL_COLUMNS
)
_UPDATE = ", ".join(f"{name} = excluded.{name}" for name in _NAMES if name != "external_id")
UPSERT_MODELS = f"""
INSERT INTO models (platform_id, {", ".join(_NAMES)}, first_seen_at, removed_at)
SELECT :platform_id, {_SELECT}, :now, NULL
FROM unnest({_UNNEST}) AS t({", ".join(_NAMES)})
ON CONFLICT (platform_id, external_id) DO UPDATE SET {_UPDATE}, removed_at = NULL
RETURNING id, external_id, (xmax = 0) AS inserted
"""

RECORD_SIGHTINGS = """
INSERT INTO model_sightings (model_id, last_seen_at, last_seen_run_id)
SELECT id, :now, :run_id FROM unnest(CAST(:ids AS bigint[])) AS t(id)
ON CONFLICT (model_id) DO UPDATE
SET last_seen_at = excluded.last_seen_at, last_seen_run_id = excluded.last_seen_run_id
"""

# One statement per batch finds the payloads whose hash matches the landed one and, for
# those only, writes what an unchanged payload writes: the sighting (narrow table), the
# metric point, and `removed_at` for the rare model that came back. It returns their
# external ids; every other payload of the batch is new or changed.
TOUCH_UNCHANGED = """
WITH input AS (
    SELECT * FROM unnest(CAST(:external_ids AS text[]), CAST(:hashes AS text[])) AS t(e, h)
), same AS (
    -- One primary-key lookup per payload: LIMIT 1 keeps each lateral subquery from being
    -- flattened into a join that the planner may answer by scanning a whole platform
    -- (it does when statistics lag behind a bulk load).
    SELECT m.id, m.external_id, m.downloads, m.likes, m.removed_at
    FROM input
    CROSS JOIN LATERAL (
        SELECT r.sha256 FROM raw_records r
        WHERE r.platform_id = :platform_id AND r.external_id = input.e LIMIT 1
    ) AS r
    CROSS JOIN LATERAL (
        SELECT m.id, m.external_id, m.downloads, m.likes, m.removed_at FROM models m
        WHERE m.platform_id = :platform_id AND m.external_id = input.e LIMIT 1
    ) AS m
    WHERE r.sha256 = input.h
), sighted AS (
    INSERT INTO model_sightings (model_id, last_seen_at, last_seen_run_id)
    SELECT id, :now, :run_id FROM same
    ON CONFLICT (model_id) DO UPDATE
    SET last_seen_at = excluded.last_seen_at, last_seen_run_id = excluded.last_seen_run_id
), restored AS (
    UPDATE models SET removed_at = NULL
    WHERE id IN (SELECT id FROM same WHERE removed_at IS NOT NULL)
), measured AS (
    INSERT INTO model_metrics (model_id, observed_at, downloads, likes)
    SELECT id, :now, downloads, likes FROM same
    ON CONFLICT DO NOTHING
)
SELECT external_id FROM same
"""


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What a batch load did: model ids by external id, and how many rows were new."""

    ids: dict[str, int]
    inserted: int

    @property
    def updated(self) -> int:
        """Rows that existed before the batch."""
        return len(self.ids) - self.inserted


def load_models(
    session: Session,
    records: Sequence[NormalizedModel],
    *,
    observed_at: dt.datetime,
    run_id: int | None = None,
    vocabulary: VocabularyIds | None = None,
) -> LoadResult:
    """Upsert `records` (all of one platform) with their associations and a metric point.

    Idempotent: loading the same records again leaves the same rows. Records must be
    valid (`catalog.records.validate_record`) and unique by external id. Nothing is
    committed.

    Args:
        session: The session whose transaction receives the writes.
        records: Normalized models of a single platform.
        observed_at: Time of the observation (the sighting and the metric point).
        run_id: The harvest run that saw them, if any.
        vocabulary: A cache of vocabulary ids to reuse across batches.

    Returns:
        Model ids by external id and the number of newly inserted models.
    """
    if not records:
        return LoadResult({}, 0)
    vocab_ids = vocabulary or VocabularyIds(session)
    platform = records[0].platform
    if any(r.platform != platform for r in records):
        raise ValueError("a batch must hold models of one platform")
    platform_id = vocab_ids.platforms[platform]
    rows = _model_rows(session, vocab_ids, platform_id, records)
    params: dict[str, object] = dict(zip(_NAMES, columns(rows, len(_NAMES)), strict=True))
    params.update(platform_id=platform_id, now=observed_at, run_id=run_id)
    result = execute(session, UPSERT_MODELS, params).all()
    ids = {external_id: model_id for model_id, external_id, _ in result}
    inserted = sum(1 for *_, was_inserted in result if was_inserted)
    execute(
        session, RECORD_SIGHTINGS, {"ids": list(ids.values()), "now": observed_at, "run_id": run_id}
    )
    associations.replace_all(session, vocab_ids, records, ids)
    old_parents = associations.replace_lineage(session, vocab_ids, records, ids, platform_id)
    associations.insert_metrics(session, records, ids, observed_at)
    # The derived layer follows in the same transaction: per-model facts from the
    # records, lineage-dependent ones for what this batch changed (`catalog.derive`).
    derived.refresh_loaded(session, {ids[r.external_id]: facts_of(r) for r in records}, old_parents)
    return LoadResult(ids, inserted)


def touch_unchanged(
    session: Session,
    platform_id: int,
    hashes: Mapping[str, str],
    *,
    observed_at: dt.datetime,
    run_id: int | None = None,
) -> set[str]:
    """Record a sighting and a metric point for payloads that did not change.

    Args:
        session: The session whose transaction receives the writes.
        platform_id: The platform of every payload.
        hashes: Payload hash by external id, for a batch of fetched payloads.
        observed_at: Time of the observation.
        run_id: The harvest run that saw them, if any.

    Returns:
        External ids whose payload equals the landed one (the rest are new or changed).
    """
    if not hashes:
        return set()
    rows = execute(
        session,
        TOUCH_UNCHANGED,
        {
            "platform_id": platform_id,
            "external_ids": list(hashes),
            "hashes": list(hashes.values()),
            "now": observed_at,
            "run_id": run_id,
        },
    ).all()
    return {external_id for (external_id,) in rows}


def _model_rows(
    session: Session, vocab_ids: VocabularyIds, platform_id: int, records: Sequence[NormalizedModel]
) -> list[tuple[object, ...]]:
    authors = vocab_ids.ensure_authors(
        session, platform_id, {r.author: r.author_name for r in records if r.author}
    )
    licenses = vocab_ids.ensure_licenses(session, [r.license for r in records if r.license])
    libraries = vocab_ids.ensure(session, "libraries", [r.library for r in records if r.library])
    provenance = [json_text(as_rows(r.provenance)) if r.provenance else None for r in records]
    provenance_ids = vocab_ids.ensure_provenance(session, [p for p in provenance if p])
    return [
        (
            r.external_id,
            r.name,
            authors.get((platform_id, r.author[:500])) if r.author else None,
            r.url,
            r.summary,
            r.description,
            licenses.get(r.license.slug[:500]) if r.license else None,
            libraries.get(r.library[:500]) if r.library else None,
            r.parameters,
            r.downloads,
            r.downloads_all_time,
            r.likes,
            r.trending_score,
            r.created_at,
            r.last_modified,
            r.gated,
            r.nsfw,
            _keywords(r),
            json_text(dict(r.extra)),
            provenance_ids[p] if p else None,
        )
        for r, p in zip(records, provenance, strict=True)
    ]


def _keywords(record: NormalizedModel) -> str:
    """Words that full-text search should find beyond name, id and summary."""
    words = [*record.tags, *record.tasks, *(f.slug for f in record.formats)]
    if record.library:
        words.append(record.library)
    if record.author_name:
        words.append(record.author_name)
    return " ".join(dict.fromkeys(words))
