"""Read what changed since an index's snapshot: the models the change log names, as they
are now, in one snapshot (the patched index is as consistent as a rebuilt one).

The triggers of migration 0009 log each model a statement wrote with the writing
transaction's id. The models that changed between the index's snapshot S1 and the
reader's snapshot S2 are exactly those logged by a transaction S2 sees and S1 did not:
`pg_visible_in_snapshot(xid, S1)` is false (in progress or not yet started at S1), and
the row is visible at all. Ordering by log id would lose a transaction that took a low
id and committed after a later one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from catalog.queries.dimensions import DIMENSIONS
from catalog.queries.facet_index import (
    MODEL_KINDS,
    FacetIndex,
    Vocabulary,
    copy_columns,
    models_sql,
    multi_sql,
    read_snapshot,
    read_version,
    read_vocabularies,
)
from catalog.queries.text_patch import TextDelta, read_text_delta

log = logging.getLogger(__name__)

# Older than this, an index is rebuilt: the log keeps a day (`prune_index_changes`), and a
# transaction may have logged a while before the index's snapshot and committed after.
MAX_PATCH_AGE = 12 * 3600.0
# Patching costs a pass over every array plus reading the changed models; past this
# share of the catalog a rebuild is about as fast and simpler.
MAX_CHANGED_SHARE = 0.25

_CHANGED_SQL = """
SELECT DISTINCT model_id FROM index_changes
WHERE xid >= pg_snapshot_xmin(CAST(:snapshot AS pg_snapshot))::text::bigint
  AND NOT pg_visible_in_snapshot(xid::text::xid8, CAST(:snapshot AS pg_snapshot))
"""


@dataclass(slots=True)
class Delta:
    """The changed models of a catalog, read in one snapshot.

    Attributes:
        version: `read_version` in that snapshot.
        snapshot: The snapshot (text) and `snapshot_time` its start (epoch seconds).
        changed: Ids of every model the log names (sorted); some may be gone.
        columns: The `models_sql` columns of those still in `models` (id first, sorted).
        multi: Per multi-valued facet, the (model ids, value ids) pairs of the changed
            models.
        vocab: Every vocabulary, read again.
        text: The changed models' lexemes and name hashes; None without a text index.
    """

    version: tuple[Any, ...]
    snapshot: str
    snapshot_time: float
    changed: np.ndarray
    columns: list[np.ndarray]
    multi: dict[str, tuple[np.ndarray, np.ndarray]]
    vocab: dict[str, Vocabulary]
    text: TextDelta | None


def read_delta(conn: Connection, base: FacetIndex) -> Delta | None:
    """What changed since `base`'s snapshot, read through `conn` (inside one REPEATABLE
    READ transaction); None when the index must be rebuilt instead (no snapshot, too
    old, too much changed, a bulk load or TRUNCATE, a model deleted outright)."""
    version = read_version(conn)
    snapshot, snapshot_time = read_snapshot(conn)
    if base.snapshot is None or snapshot_time - base.snapshot_time > MAX_PATCH_AGE:
        return None
    logged = conn.execute(text(_CHANGED_SQL), {"snapshot": base.snapshot}).scalars().all()
    if None in logged:
        log.info("facet index: the change log asks for a rebuild")
        return None
    changed = np.array(sorted(i for i in logged if i), dtype=np.int64)
    if len(changed) > MAX_CHANGED_SHARE * max(base.size, 1):
        log.info("facet index: %d models changed, rebuilding", len(changed))
        return None
    where = f"WHERE models.id = ANY('{_array_literal(changed)}'::bigint[])"
    columns = copy_columns(conn, models_sql(where), MODEL_KINDS) if len(changed) else []
    if len(changed) and _deleted_outright(base, changed, columns[0]):
        return None
    multi = {
        name: _read_pairs(conn, name, changed) for name, dim in DIMENSIONS.items() if dim.multi
    }
    return Delta(
        version=version,
        snapshot=snapshot,
        snapshot_time=snapshot_time,
        changed=changed,
        columns=columns,
        multi=multi,
        vocab=read_vocabularies(conn),
        text=read_text_delta(conn, changed) if base.text is not None else None,
    )


def _array_literal(ids: np.ndarray) -> str:
    # Integers only, formatted here: safe to inline (COPY takes no parameters).
    return "{" + ",".join(map(str, ids.tolist())) + "}"


def _deleted_outright(base: FacetIndex, changed: np.ndarray, found: np.ndarray) -> bool:
    """Whether a model the index holds is gone from the table (rows would shift: the
    catalog soft-deletes, so this is rare enough to rebuild for)."""
    gone = np.setdiff1d(changed, found, assume_unique=True)
    return bool(len(gone) and base.locate(gone)[1].any())


def _read_pairs(conn: Connection, name: str, changed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(changed):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    where = f"AND model_id = ANY('{_array_literal(changed)}'::bigint[])"
    model_ids, values = copy_columns(conn, multi_sql(name, where), "qi")
    return model_ids, values


def prune_index_changes(conn: Connection) -> int:
    """Forget change-log rows older than a day (indexes that old are rebuilt anyway)."""
    result = conn.execute(
        text("DELETE FROM index_changes WHERE logged_at < now() - interval '1 day'")
    )
    return int(result.rowcount or 0)
