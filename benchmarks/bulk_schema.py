"""Drop the keys, indexes and foreign keys of the bulk-loaded tables, and put them back.

A COPY into tables without indexes and foreign-key triggers runs several times faster,
and an index built once over sorted data is smaller than one grown row by row. Primary
keys and unique constraints are checked when they are added back (a writer's bug that
duplicates a row fails there). The `models_search_document` trigger stays, so every
row's `search_document` is what the loader's inserts compute. The definitions are read
from the catalog itself (`pg_get_indexdef`, `pg_get_constraintdef`), so whatever the
migrations create comes back exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql

# Every table the loader and the derived layer write for a model.
LOADED_TABLES = (
    "models",
    "model_sightings",
    "model_tags",
    "model_languages",
    "model_datasets",
    "model_tasks",
    "model_modalities",
    "model_formats",
    "model_lineage",
    "model_metrics",
    "model_derivations",
    "model_usages",
)

_FOREIGN_KEYS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE contype = 'f' AND conparentid = 0
  AND (conrelid = ANY(%(t)s::regclass[]) OR confrelid = ANY(%(t)s::regclass[]))
ORDER BY 1, 2
"""
_KEYS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint
WHERE contype IN ('p', 'u') AND conparentid = 0 AND conrelid = ANY(%(t)s::regclass[])
ORDER BY 1, 2
"""
# Indexes that back no primary key or unique constraint of their own table.
_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = ANY(%(t)s::regclass[])
  AND NOT EXISTS (
      SELECT 1 FROM pg_constraint c
      WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid AND c.contype IN ('p', 'u')
  )
ORDER BY 1
"""


@dataclass
class Dropped:
    """What `drop` removed, to be created again by `restore`."""

    foreign_keys: list[tuple[str, str, str]] = field(default_factory=list)
    keys: list[tuple[str, str, str]] = field(default_factory=list)
    indexes: list[tuple[str, str]] = field(default_factory=list)


def drop(conn: psycopg.Connection) -> Dropped:
    """Drop the foreign keys touching `LOADED_TABLES`, their keys and their indexes."""
    tables = list(LOADED_TABLES)
    dropped = Dropped(
        foreign_keys=conn.execute(_FOREIGN_KEYS, {"t": tables}).fetchall(),
        keys=conn.execute(_KEYS, {"t": tables}).fetchall(),
        indexes=conn.execute(_INDEXES, {"t": tables}).fetchall(),
    )
    for table, name, _ in [*dropped.foreign_keys, *dropped.keys]:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                sql.SQL(table), sql.Identifier(name)
            )
        )
    for name, _ in dropped.indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.SQL(name)))
    _switch_change_log(conn, "DISABLE")
    return dropped


def restore(conn: psycopg.Connection, dropped: Dropped) -> None:
    """Add the keys back, build the indexes, then validate and add the foreign keys."""
    _add(conn, dropped.keys)
    for _, definition in dropped.indexes:
        conn.execute(sql.SQL(definition))
    _add(conn, dropped.foreign_keys)
    _switch_change_log(conn, "ENABLE")
    conn.execute("INSERT INTO index_changes (model_id) VALUES (NULL)")


def _switch_change_log(conn: psycopg.Connection, action: str) -> None:
    """ENABLE or DISABLE the change-log triggers of the loaded tables."""
    names = conn.execute(
        "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
        "WHERE tgname LIKE 'index\\_changes\\_%%' AND tgrelid = ANY(%(t)s::regclass[])",
        {"t": list(LOADED_TABLES)},
    ).fetchall()
    for table, name in names:
        conn.execute(
            sql.SQL("ALTER TABLE {} {} TRIGGER {}").format(
                sql.SQL(table), sql.SQL(action), sql.Identifier(name)
            )
        )


def _add(conn: psycopg.Connection, constraints: list[tuple[str, str, str]]) -> None:
    for table, name, definition in constraints:
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.SQL(table),
                sql.Identifier(name),
                sql.SQL(definition),
            )
        )
