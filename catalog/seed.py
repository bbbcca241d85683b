"""Idempotent seeding of the vocabulary tables: canonical ones from `catalog.vocab`, and
platform rows from whatever registers the hubs.

Migrations are frozen history and never call this: the initial one holds a copy of the
rows it seeded. `catalog.migrate.upgrade` runs `seed_vocabularies` after upgrading to the
newest revision, so a value added to `catalog.vocab` reaches every database without a
migration; the harvesters call `upsert_platforms` with their registry when a harvest or
a scheduler starts.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, or_, select
from sqlalchemy.dialects.postgresql import insert

from catalog import vocab
from catalog.models import Format, Library, License, Modality, Platform, Task


def seed_vocabularies(conn: Connection) -> None:
    """Insert or refresh every canonical vocabulary row (safe to run repeatedly)."""
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


def upsert_platforms(conn: Connection, platforms: Iterable[vocab.PlatformInfo]) -> None:
    """Insert or refresh platform rows (name and URL); rows of other platforms stay.

    Args:
        conn: Connection in the caller's transaction (the caller commits).
        platforms: The hubs to register; a slug given twice keeps its last entry.

    Raises:
        ValueError: a slug is not lower-case letters and digits joined by hyphens.
    """
    rows: dict[str, dict[str, object]] = {
        p.slug: {"slug": p.slug, "name": p.name, "url": p.url} for p in platforms
    }
    bad = [slug for slug in rows if not vocab.is_platform_slug(slug)]
    if bad:
        raise ValueError(f"invalid platform slugs {bad}: use lower-case letters, digits and '-'")
    _upsert(conn, Platform, list(rows.values()), ["name", "url"])


def _upsert(
    conn: Connection, model: type, rows: list[dict[str, object]], update: list[str]
) -> None:
    if not rows:
        return
    stmt = insert(model).values(rows)
    table = stmt.table
    # Rows that already hold these values are not rewritten: this runs at every start.
    changed = or_(*(table.c[col].is_distinct_from(stmt.excluded[col]) for col in update))
    stmt = stmt.on_conflict_do_update(
        index_elements=["slug"], set_={col: stmt.excluded[col] for col in update}, where=changed
    )
    conn.execute(stmt)
