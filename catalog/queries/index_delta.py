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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, text

from catalog.models.changes import VOCABULARY_CODES
from catalog.queries.dimensions import DIMENSIONS
from catalog.queries.facet_index import (
    MODEL_COLUMNS,
    MODEL_KINDS,
    MODELS_FROM,
    FacetIndex,
    Vocabulary,
    database_identity,
    multi_source,
    packed_columns,
    read_snapshot,
    read_version,
    read_vocabulary,
)
from catalog.queries.snapshot_worker import SnapshotWorker
from catalog.queries.text_patch import TextDelta, read_text_delta

log = logging.getLogger(__name__)

# Older than this, an index is rebuilt: the log keeps a day (`runs.prune_index_changes`), and a
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
        columns: The `MODEL_COLUMNS` of those still in `models` (id first, sorted).
        multi: Per multi-valued facet, the (model ids, value ids) pairs of the changed
            models.
        vocab: Every vocabulary (those the log names read again).
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


def read_delta(conn: Connection, base: FacetIndex, engine: Engine | None = None) -> Delta | None:
    """What changed since `base`'s snapshot, read through `conn` (inside one REPEATABLE
    READ transaction, nothing read yet); None when the index must be rebuilt instead (no
    snapshot, too old, another database, too much changed, a bulk load or TRUNCATE, a
    model deleted outright). With `engine`, the text part is read on a second connection sharing the
    snapshot, at the same time (two server processes instead of one)."""
    helper = SnapshotWorker.start(engine, conn) if engine is not None else None
    try:
        return _read(conn, base, helper)
    finally:
        if helper is not None:
            helper.finish()


def _read(conn: Connection, base: FacetIndex, helper: SnapshotWorker | None) -> Delta | None:
    version = read_version(conn)
    snapshot, snapshot_time = read_snapshot(conn)
    if base.snapshot is None or snapshot_time - base.snapshot_time > MAX_PATCH_AGE:
        return None
    if base.database != database_identity(conn):
        log.info("facet index: read from another database, rebuilding")
        return None
    logged = conn.execute(text(_CHANGED_SQL), {"snapshot": base.snapshot}).scalars().all()
    if None in logged:
        log.info("facet index: the change log asks for a rebuild")
        return None
    changed = np.array(sorted(i for i in logged if i > 0), dtype=np.int64)
    if len(changed) > MAX_CHANGED_SHARE * max(base.size, 1):
        log.info("facet index: %d models changed, rebuilding", len(changed))
        return None
    # The helper connection reads the text and half the facets' pairs meanwhile.
    names = [name for name, dim in DIMENSIONS.items() if dim.multi]
    side = _side_reader(changed, names[::2], with_text=base.text is not None)
    side_result: tuple[TextDelta | None, _Pairs] | None = None
    if helper is not None:
        helper.run(side)
    else:
        side_result = side(conn)
    columns = _read_models(conn, changed) if len(changed) else []
    if len(changed) and _deleted_outright(base, changed, columns[0]):
        return None
    multi = {name: _read_pairs(conn, name, changed) for name in names[1::2]}
    vocab = _vocabularies(conn, base, {-i for i in logged if i < 0})
    if helper is not None:
        side_result = helper.result()
    assert side_result is not None
    text_delta, side_pairs = side_result
    return Delta(
        version=version,
        snapshot=snapshot,
        snapshot_time=snapshot_time,
        changed=changed,
        columns=columns,
        multi={**multi, **side_pairs},
        vocab=vocab,
        text=text_delta,
    )


_Pairs = dict[str, tuple[np.ndarray, np.ndarray]]


def _side_reader(
    changed: np.ndarray, names: list[str], *, with_text: bool
) -> Callable[[Connection], tuple[TextDelta | None, _Pairs]]:
    def read(conn: Connection) -> tuple[TextDelta | None, _Pairs]:
        text_delta = read_text_delta(conn, changed) if with_text else None
        return text_delta, {name: _read_pairs(conn, name, changed) for name in names}

    return read


def _vocabularies(conn: Connection, base: FacetIndex, codes: set[int]) -> dict[str, Vocabulary]:
    """The base's vocabularies, those whose tables changed read again."""
    changed_tables = {table for table, code in VOCABULARY_CODES.items() if -code in codes}
    return {
        name: read_vocabulary(conn, name)
        if dim.vocab.__tablename__ in changed_tables
        else base.vocab[name]
        for name, dim in DIMENSIONS.items()
    }


def _array_literal(ids: np.ndarray) -> str:
    # Integers only, formatted here: safe to inline (COPY takes no parameters).
    return "{" + ",".join(map(str, ids.tolist())) + "}"


def _deleted_outright(base: FacetIndex, changed: np.ndarray, found: np.ndarray) -> bool:
    """Whether a model the index holds is gone from the table (rows would shift: the
    catalog soft-deletes, so this is rare enough to rebuild for)."""
    gone = np.setdiff1d(changed, found, assume_unique=True)
    return bool(len(gone) and base.locate(gone)[1].any())


def _read_models(conn: Connection, changed: np.ndarray) -> list[np.ndarray]:
    where = f"WHERE models.id = ANY('{_array_literal(changed)}'::bigint[])"
    return packed_columns(conn, MODEL_COLUMNS, MODEL_KINDS, f"{MODELS_FROM} {where}", "models.id")


def _read_pairs(conn: Connection, name: str, changed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(changed):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    _, col, source = multi_source(name)
    where = f"AND model_id = ANY('{_array_literal(changed)}'::bigint[])"
    model_ids, values = packed_columns(
        conn, ("model_id", col), "qi", f"{source} {where}", f"{col}, model_id"
    )
    return model_ids, values
