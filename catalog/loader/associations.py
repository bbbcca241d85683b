"""Replace a batch's facet associations, versions, lineage edges and metric points."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence

from sqlalchemy.orm import Session

from catalog.loader.sql import columns, execute, json_text
from catalog.loader.vocabulary import KEY_LIMIT, VocabularyIds
from catalog.records import NormalizedModel

# association table -> (value column, values of a record)
_LINKS: dict[str, tuple[str, str, Callable[[NormalizedModel], Iterable[str]]]] = {
    "model_tags": ("tag_id", "tags", lambda r: r.tags),
    "model_languages": ("language_id", "languages", lambda r: r.languages),
    "model_datasets": ("dataset_id", "datasets", lambda r: r.datasets),
}


def replace_all(
    session: Session,
    vocab_ids: VocabularyIds,
    records: Sequence[NormalizedModel],
    ids: Mapping[str, int],
) -> None:
    """Make every association of the batch's models equal to what the records say."""
    model_ids = list(ids.values())
    for table, (column, vocab_table, values_of) in _LINKS.items():
        known = vocab_ids.ensure(session, vocab_table, {v for r in records for v in values_of(r)})
        pairs = {(ids[r.external_id], known[v[:KEY_LIMIT]]) for r in records for v in values_of(r)}
        _replace_pairs(session, table, column, model_ids, pairs)
    tasks = {(ids[r.external_id], vocab_ids.tasks[t]) for r in records for t in r.tasks}
    _replace_pairs(session, "model_tasks", "task_id", model_ids, tasks)
    modalities = {
        (ids[r.external_id], vocab_ids.modalities[m]) for r in records for m in r.all_modalities()
    }
    _replace_pairs(session, "model_modalities", "modality_id", model_ids, modalities)
    _replace_formats(session, vocab_ids, records, ids)
    _replace_versions(session, records, ids)


def _replace_pairs(
    session: Session, table: str, column: str, model_ids: list[int], pairs: set[tuple[int, int]]
) -> None:
    execute(
        session,
        f"DELETE FROM {table} WHERE model_id = ANY(CAST(:ids AS bigint[]))",
        {"ids": model_ids},
    )
    if pairs:
        left, right = columns(sorted(pairs), 2)
        execute(
            session,
            f"INSERT INTO {table} (model_id, {column}) SELECT * FROM unnest("
            "CAST(:left AS bigint[]), CAST(:right AS int[])) ON CONFLICT DO NOTHING",
            {"left": left, "right": right},
        )


def _replace_formats(
    session: Session,
    vocab_ids: VocabularyIds,
    records: Sequence[NormalizedModel],
    ids: Mapping[str, int],
) -> None:
    execute(
        session,
        "DELETE FROM model_formats WHERE model_id = ANY(CAST(:ids AS bigint[]))",
        {"ids": list(ids.values())},
    )
    rows = {}
    for r in records:
        for f in r.formats:
            key = (ids[r.external_id], vocab_ids.formats[f.slug])
            rows[key] = (
                *key,
                json_text([dict(v) for v in f.variants]),
                f.file_count,
                f.total_bytes,
            )
    if rows:
        model_id, format_id, variants, counts, sizes = columns(list(rows.values()), 5)
        execute(
            session,
            "INSERT INTO model_formats (model_id, format_id, variants, file_count, total_bytes) "
            "SELECT m, f, v::jsonb, c, b FROM unnest(CAST(:m AS bigint[]), CAST(:f AS int[]), "
            "CAST(:v AS text[]), CAST(:c AS int[]), CAST(:b AS bigint[])) AS t(m, f, v, c, b)",
            {"m": model_id, "f": format_id, "v": variants, "c": counts, "b": sizes},
        )


def _replace_versions(
    session: Session, records: Sequence[NormalizedModel], ids: Mapping[str, int]
) -> None:
    execute(
        session,
        "DELETE FROM model_versions WHERE model_id = ANY(CAST(:ids AS bigint[]))",
        {"ids": list(ids.values())},
    )
    rows = {
        (ids[r.external_id], v.version[:KEY_LIMIT]): (v.created_at, json_text(dict(v.detail)))
        for r in records
        for v in r.versions
    }
    if rows:
        model_id, version, created, detail = columns(
            [(*key, *value) for key, value in rows.items()], 4
        )
        execute(
            session,
            "INSERT INTO model_versions (model_id, version, created_at, detail) "
            "SELECT m, v, c, d::jsonb FROM unnest(CAST(:m AS bigint[]), CAST(:v AS text[]), "
            "CAST(:c AS timestamptz[]), CAST(:d AS text[])) AS t(m, v, c, d)",
            {"m": model_id, "v": version, "c": created, "d": detail},
        )


def replace_lineage(
    session: Session,
    vocab_ids: VocabularyIds,
    records: Sequence[NormalizedModel],
    ids: Mapping[str, int],
    platform_id: int,
) -> set[int]:
    """Replace the batch's parent edges, and link earlier edges that waited for these models.

    Returns:
        Ids of the parents the batch's models named before (their derivations may change).
    """
    old = execute(
        session,
        "DELETE FROM model_lineage WHERE child_id = ANY(CAST(:ids AS bigint[])) "
        "RETURNING parent_id",
        {"ids": list(ids.values())},
    ).all()
    edges = {
        (ids[r.external_id], vocab_ids.platforms[ref.platform], ref.external_id): ref.relation
        for r in records
        for ref in r.lineage
        if ref.platform in vocab_ids.platforms
    }
    if edges:
        child, parent_platform, parent_external = columns(list(edges), 3)
        execute(
            session,
            "INSERT INTO model_lineage (child_id, parent_id, parent_platform_id, "
            "parent_external_id, relation) "
            "SELECT t.c, m.id, t.p, t.e, t.r FROM unnest(CAST(:c AS bigint[]), "
            "CAST(:p AS int[]), CAST(:e AS text[]), CAST(:r AS text[])) AS t(c, p, e, r) "
            "LEFT JOIN models m ON m.platform_id = t.p AND m.external_id = t.e",
            {"c": child, "p": parent_platform, "e": parent_external, "r": list(edges.values())},
        )
    # Children harvested before their parent point at it by reference; link them now.
    execute(
        session,
        # One index lookup per loaded model (LIMIT 1 keeps the lateral subquery from being
        # flattened into a join the planner may answer with a scan of models).
        "UPDATE model_lineage l SET parent_id = m.id "
        "FROM unnest(CAST(:e AS text[])) AS i(e) CROSS JOIN LATERAL ("
        "SELECT id, platform_id, external_id FROM models "
        "WHERE platform_id = :p AND external_id = i.e LIMIT 1) AS m "
        "WHERE l.parent_id IS NULL AND l.parent_platform_id = m.platform_id "
        "AND l.parent_external_id = m.external_id",
        {"p": platform_id, "e": list(ids)},
    )
    return {parent for (parent,) in old if parent is not None}


def insert_metrics(
    session: Session,
    records: Sequence[NormalizedModel],
    ids: Mapping[str, int],
    observed_at: dt.datetime,
) -> None:
    """One downloads/likes point per model for this observation."""
    rows = [
        (ids[r.external_id], r.downloads, r.likes)
        for r in records
        if r.downloads is not None or r.likes is not None
    ]
    if rows:
        model_id, downloads, likes = columns(rows, 3)
        execute(
            session,
            "INSERT INTO model_metrics (model_id, observed_at, downloads, likes) "
            "SELECT m, :now, d, l FROM unnest(CAST(:m AS bigint[]), CAST(:d AS bigint[]), "
            "CAST(:l AS bigint[])) AS t(m, d, l) ON CONFLICT DO NOTHING",
            {"m": model_id, "d": downloads, "l": likes, "now": observed_at},
        )
