"""Idempotent seeding of the vocabulary tables from `catalog.vocab`."""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert

from catalog import vocab
from catalog.models import Format, Library, License, Modality, Platform, Task


def seed_vocabularies(conn: Connection) -> None:
    """Insert or refresh every canonical vocabulary row (safe to run repeatedly)."""
    _upsert(
        conn,
        Platform,
        [{"slug": p.slug, "name": p.name, "url": p.url} for p in vocab.PLATFORMS],
        ["name", "url"],
    )
    _upsert(
        conn,
        Modality,
        [{"slug": slug, "name": name} for slug, name in vocab.MODALITIES.items()],
        ["name"],
    )
    modality_ids = dict(conn.execute(select(Modality.slug, Modality.id)).tuples().all())
    _upsert(
        conn,
        Task,
        [
            {"slug": task, "name": vocab.task_name(task), "modality_id": modality_ids[modality]}
            for task, modality in vocab.TASK_MODALITY.items()
        ],
        ["name", "modality_id"],
    )
    _upsert(
        conn,
        Format,
        [{"slug": f.slug, "name": f.name, "patterns": list(f.patterns)} for f in vocab.FORMATS],
        ["name", "patterns"],
    )
    _upsert(
        conn,
        License,
        [
            {"slug": lic.slug, "spdx_id": lic.spdx_id, "name": lic.name, "url": lic.url}
            for lic in vocab.LICENSES
        ],
        ["spdx_id", "name", "url"],
    )
    _upsert(
        conn,
        Library,
        [{"slug": slug, "name": name} for slug, name in vocab.LIBRARIES.items()],
        ["name"],
    )


def _upsert(
    conn: Connection, model: type, rows: list[dict[str, object]], update: list[str]
) -> None:
    stmt = insert(model).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=["slug"], set_={col: stmt.excluded[col] for col in update}
    )
    conn.execute(stmt)
