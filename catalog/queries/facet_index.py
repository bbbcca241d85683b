"""An in-memory columnar index of the catalog's facet data, built from PostgreSQL.

One GROUP BY per facet over a million models takes hundreds of milliseconds; counting
over numpy arrays takes a few. The index holds, per model row (ordered by id): the
single-valued facet ids, the numeric sort/filter columns, and per multi-valued facet the
(row, value) pairs grouped by value, so that a filter is a few vectorized gathers and a
count is one `bincount`. It is read with binary COPY in one REPEATABLE READ snapshot.
"""

from __future__ import annotations

import logging
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection, select, text

from catalog.queries.dimensions import DIMENSIONS, slug_column
from catalog.queries.number_column import NumberColumn
from catalog.queries.text_index import ParallelTextBuild, TextIndex, build_text_index

log = logging.getLogger(__name__)

SINGLE_FIELDS = ("platform", "library", "license", "author")
NUMBER_COLUMNS = {
    "parameters": "parameters::float8",
    "downloads": "downloads::float8",
    "likes": "likes::float8",
    "trending": "trending_score",
    "created": "(extract(epoch FROM created_at) * 1000000)::float8",
    "last_modified": "(extract(epoch FROM last_modified) * 1000000)::float8",
    "memory": "d.memory_bytes::float8",  # from the derived layer, joined in `MODELS_FROM`
}
_WIDTHS = {"q": (">i8", np.int64), "i": (">i4", np.int32), "d": (">f8", np.float64)}
_HEADER = 11 + 4  # PGCOPY signature and flags; then the header-extension length


@dataclass(slots=True)
class MultiValued:
    """The (row, value id) pairs of one multi-valued facet, sorted by value id.

    `offsets[v]:offsets[v+1]` delimits the rows having value `v`, so a pair's value id
    is not stored (4 bytes a pair: about 100 MB at 3M models): `values` and `value_at`
    derive it.
    """

    rows: np.ndarray
    offsets: np.ndarray

    def rows_with(self, value_id: int) -> np.ndarray:
        """Rows that have `value_id`."""
        if value_id + 1 >= len(self.offsets):
            return self.rows[:0]
        return self.rows[self.offsets[value_id] : self.offsets[value_id + 1]]

    @property
    def values(self) -> np.ndarray:
        """The value id of every pair (computed: a pass over the pairs)."""
        ids = np.arange(len(self.offsets) - 1, dtype=np.int32)
        return np.repeat(ids, np.diff(self.offsets))

    def value_at(self, positions: np.ndarray) -> np.ndarray:
        """The value ids of the pairs at `positions`."""
        return (np.searchsorted(self.offsets, positions, side="right") - 1).astype(np.int32)


@dataclass(slots=True)
class Vocabulary:
    """A facet's vocabulary as bucket codes: ids sharing a public value share a code.

    Attributes:
        code_of: Vocabulary id -> bucket code (-1 where no row has that id).
        values: Bucket code -> public value (slug).
        labels: Bucket code -> label.
        value_rank: Bucket code -> rank of its value in sorted order (for ties).
    """

    code_of: np.ndarray
    values: list[str]
    labels: list[str | None]
    value_rank: np.ndarray

    @property
    def size(self) -> int:
        """One past the largest vocabulary id."""
        return len(self.code_of)


@dataclass(slots=True)
class FacetIndex:
    """Facet columns of every model (removed and NSFW ones flagged), rows in id order."""

    version: tuple[Any, ...]
    ids: np.ndarray
    removed: np.ndarray
    nsfw: np.ndarray
    single: dict[str, np.ndarray]
    numbers: dict[str, NumberColumn]
    multi: dict[str, MultiValued]
    vocab: dict[str, Vocabulary]
    sort_orders: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict)  # arrays computed on first use
    text: TextIndex | None = None  # None: full-text searches go to SQL
    # The snapshot the index reflects (`pg_current_snapshot()` as text) and when it was
    # taken (epoch seconds): `index_delta` patches the index from there.
    snapshot: str | None = None
    snapshot_time: float = 0.0
    database: str = ""  # `database_identity` of the database it was read from

    @property
    def size(self) -> int:
        """Number of models (removed ones included)."""
        return len(self.ids)

    def locate(self, model_ids: Any) -> tuple[np.ndarray, np.ndarray]:
        """Row positions of sorted model ids, and which of the ids the index holds."""
        wanted = np.asarray(model_ids, dtype=np.int64)
        if not len(wanted) or not self.size:
            return np.zeros(0, dtype=np.int64), np.zeros(len(wanted), dtype=bool)
        pos = np.searchsorted(self.ids, wanted)
        pos[pos >= self.size] = 0
        keep = self.ids[pos] == wanted
        return pos[keep], keep

    def rows_of(self, model_ids: Any) -> np.ndarray:
        """Row positions of sorted model ids; ids the index does not hold are dropped."""
        return self.locate(model_ids)[0]


def copy_columns(conn: Connection, sql: str, kinds: str) -> list[np.ndarray]:
    """Run `sql` through binary COPY and parse its columns straight into numpy arrays.

    Every column must be non-null and fixed-width (`kinds`: q=int8, i=int4, d=float8):
    with no NULL length markers each row has the same size, so the whole stream is one
    structured array.
    """
    raw = conn.connection.driver_connection
    assert raw is not None
    chunks: list[bytes] = []
    with raw.cursor().copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)") as copy:
        chunks.extend(bytes(chunk) for chunk in copy)
    data = b"".join(chunks)
    (ext_len,) = struct.unpack(">i", data[_HEADER : _HEADER + 4])
    body = memoryview(data)[_HEADER + 4 + ext_len : len(data) - 2]  # trailer: int16 -1
    return _columns_of(body, kinds, framed=True)


def _columns_of(buffer: Any, kinds: str, *, framed: bool) -> list[np.ndarray]:
    """Fixed-width big-endian rows as one array per column; `framed`: each row starts
    with COPY's field count and each value with its length."""
    fields: list[tuple[str, str]] = [("n", ">i2")] if framed else []
    for i, kind in enumerate(kinds):
        fields += [(f"len{i}", ">i4")] if framed else []
        fields.append((f"v{i}", _WIDTHS[kind][0]))
    rows = np.frombuffer(buffer, dtype=np.dtype(fields))
    return [rows[f"v{i}"].astype(_WIDTHS[k][1]) for i, k in enumerate(kinds)]


_SEND = {"q": "int8send", "i": "int4send", "d": "float8send"}


def packed_columns(
    conn: Connection, columns: tuple[str, ...], kinds: str, source: str, order: str
) -> list[np.ndarray]:
    """Like `copy_columns`, for the few thousand rows of a patch: the rows come packed
    in one bytea value (COPY sends a message per row, each a Python call to read)."""
    pack = " || ".join(f"{_SEND[k]}({c})" for c, k in zip(columns, kinds, strict=True))
    raw = conn.connection.driver_connection
    assert raw is not None
    sql = f"SELECT string_agg({pack}, ''::bytea ORDER BY {order}) {source}"
    found = raw.cursor().execute(sql).fetchone()
    data = bytes(found[0]) if found and found[0] is not None else b""
    return _columns_of(data, kinds, framed=False)


def read_version(conn: Connection) -> tuple[Any, ...]:
    """A cheap fingerprint of the data the index holds; it changes when the catalog does.

    New models move `max(id)`; harvest runs move the run columns (soft deletes happen at
    the end of a run), family rebuilds their own; any write to the tables the index reads
    moves the change log (`index_changes`) at once, and the table statistics within
    seconds (a transaction that took a lower log id and committed late). Lineage and
    popularity history are not in the index, but the API keeps model pages per snapshot
    (`api.loaders`: base models, derivatives, metrics), so a change to them moves the
    fingerprint too (the index is then patched with nothing, at no cost).
    """
    row = conn.execute(
        text(
            """
            SELECT (SELECT max(id) FROM models),
                   (SELECT count(*) FROM harvest_runs),
                   (SELECT max(coalesce(finished_at, started_at)) FROM harvest_runs),
                   (SELECT max(id) FROM family_builds),
                   (SELECT max(id) FROM index_changes),
                   (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)
                    FROM pg_stat_user_tables
                    WHERE relname IN ('models', 'model_tasks', 'model_modalities',
                                      'model_formats', 'model_languages', 'model_datasets',
                                      'model_tags', 'authors', 'tags', 'model_derivations',
                                      'model_usages', 'model_family_paths', 'families',
                                      'model_lineage')
                       -- the partitions of model_metrics (its parent keeps no counts)
                       OR starts_with(relname, 'model_metrics_'))
            """
        )
    ).one()
    return tuple(row)


MODEL_COLUMNS = (
    "models.id",
    "platform_id",
    "coalesce(library_id, 0)",
    "coalesce(license_id, 0)",
    "coalesce(author_id, 0)",
    "(removed_at IS NOT NULL)::int4",
    "(nsfw IS TRUE)::int4",
    *(f"coalesce({expr}, 'NaN')" for expr in NUMBER_COLUMNS.values()),
)
MODEL_KINDS = "qiiiiii" + "d" * len(NUMBER_COLUMNS)
MODELS_FROM = "FROM models LEFT JOIN model_derivations d ON d.model_id = models.id"


def models_sql() -> str:
    """The per-model columns of the index (`MODEL_KINDS`), in id order."""
    return f"SELECT {', '.join(MODEL_COLUMNS)} {MODELS_FROM} ORDER BY models.id"


def read_snapshot(conn: Connection) -> tuple[str, float]:
    """The transaction's snapshot (text) and its start time (epoch seconds)."""
    row = conn.execute(
        text("SELECT pg_current_snapshot()::text, extract(epoch FROM now())::float8")
    ).one()
    return str(row[0]), float(row[1])


def database_identity(conn: Connection) -> str:
    """The server's system identifier and the database's oid: an index kept on disk
    (`CATALOG_INDEX_DIR`) is patched only from the database it was read from."""
    return str(
        conn.execute(
            text(
                "SELECT (SELECT system_identifier FROM pg_control_system())::text || '/' || "
                "(SELECT oid FROM pg_database WHERE datname = current_database())::text"
            )
        ).scalar_one()
    )


def read_vocabularies(conn: Connection) -> dict[str, Vocabulary]:
    """Every facet's vocabulary."""
    return {name: read_vocabulary(conn, name) for name in DIMENSIONS}


def read_vocabulary(conn: Connection, field_name: str) -> Vocabulary:
    """One facet's vocabulary as bucket codes."""
    dim = DIMENSIONS[field_name]
    stmt = select(dim.vocab.id, slug_column(dim), getattr(dim.vocab, dim.label_attr))
    raw = conn.connection.driver_connection
    assert raw is not None
    # The driver's rows, not the ORM's: an author vocabulary holds 100,000s of rows.
    rows = raw.cursor().execute(str(stmt.compile(dialect=conn.dialect))).fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    code_of = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int64)
    slugs = [r[1] for r in rows]
    if len(set(slugs)) == len(slugs):  # one id per value
        values, labels = slugs, [r[2] for r in rows]
        code_of[ids] = np.arange(len(rows))
        value_rank = np.empty(len(values), dtype=np.int64)
        value_rank[np.argsort(np.array(values, dtype=object))] = np.arange(len(values))
        return Vocabulary(code_of, values, labels, value_rank)
    # Ids sharing a value (an author on several hubs) share its code and its smallest
    # label, like min() in SQL; codes follow the sorted values.
    unique, first, codes = np.unique(
        np.array(slugs, dtype=object), return_index=True, return_inverse=True
    )
    code_of[ids] = codes
    labels = [rows[i][2] for i in first.tolist()]
    for i in np.flatnonzero(np.bincount(codes)[codes] > 1).tolist():
        code, label = int(codes[i]), rows[i][2]
        if label is not None and (labels[code] is None or label < str(labels[code])):
            labels[code] = label
    return Vocabulary(code_of, unique.tolist(), labels, np.arange(len(unique), dtype=np.int64))


def multi_source(field_name: str) -> tuple[str, str, str]:
    """Where a multi-valued facet's pairs live: its table, value column and the FROM
    clause of its (model id, value id) pairs."""
    dim = DIMENSIONS[field_name]
    table = dim.assoc.__tablename__
    col = str(dim.assoc_attr)
    return table, col, f"FROM {table} WHERE {col} IS NOT NULL"


def _read_multi(conn: Connection, field_name: str, ids: np.ndarray, size: int) -> MultiValued:
    _, col, source = multi_source(field_name)
    model_ids, values = copy_columns(
        conn, f"SELECT model_id, {col} {source} ORDER BY {col}, model_id", "qi"
    )
    rows = np.searchsorted(ids, model_ids).astype(np.int32)
    offsets = np.searchsorted(values, np.arange(size + 1, dtype=np.int32)).astype(np.int64)
    return MultiValued(rows=rows, offsets=offsets)


def build_index(
    conn: Connection,
    version: tuple[Any, ...] | None = None,
    text_build: ParallelTextBuild | None = None,
) -> FacetIndex:
    """Read the whole facet index through `conn` (best inside one snapshot); the text
    index comes from `text_build` if given (sharing the snapshot), else through `conn`."""
    version = version if version is not None else read_version(conn)
    snapshot, snapshot_time = read_snapshot(conn)
    cols = copy_columns(conn, models_sql(), MODEL_KINDS)
    ids = cols[0]
    single = dict(zip(SINGLE_FIELDS, cols[1:5], strict=True))
    vocab = read_vocabularies(conn)
    multi = {
        name: _read_multi(conn, name, ids, vocab[name].size)
        for name, dim in DIMENSIONS.items()
        if dim.multi
    }
    # While the text index is still being read on the other connection.
    numbers = {
        name: NumberColumn.of(col) for name, col in zip(NUMBER_COLUMNS, cols[7:], strict=True)
    }
    return FacetIndex(
        text=text_build.result(len(ids)) if text_build else _read_text(conn, len(ids)),
        version=version,
        ids=ids,
        removed=cols[5].astype(bool),
        nsfw=cols[6].astype(bool),
        single=single,
        numbers=numbers,
        multi=multi,
        vocab=vocab,
        snapshot=snapshot,
        snapshot_time=snapshot_time,
        database=database_identity(conn),
    )


def _read_text(conn: Connection, size: int) -> TextIndex | None:
    """The text index in the same snapshot, or None if it cannot be built: searches then
    use SQL (a savepoint keeps the caller's transaction usable)."""
    try:
        with conn.begin_nested():
            return build_text_index(conn, size)
    except Exception:
        log.exception("text index build failed; full-text searches use SQL")
        return None


def code_type(vocab: Vocabulary) -> type[np.integer]:
    """The type of `bucket_codes` for a vocabulary: two bytes when its codes + 1 fit (a
    per-entry array: 50 MB less at 3M models for the tags alone), else four."""
    return np.uint16 if len(vocab.values) < 1 << 16 else np.int32


def bucket_codes(index: FacetIndex, field: str) -> np.ndarray:
    """Per row (single-valued) or per entry (multi-valued): bucket code + 1, 0 for none
    (unsigned when two bytes hold them: subtract only after widening)."""
    key = f"codes:{field}"
    cached = index.derived.get(key)
    if cached is None:
        vocab = index.vocab[field]
        if DIMENSIONS[field].multi:
            multi = index.multi[field]
            per_value = np.zeros(len(multi.offsets) - 1, dtype=code_type(vocab))
            known = min(len(per_value), len(vocab.code_of))
            per_value[:known] = vocab.code_of[:known] + 1
            cached = np.repeat(per_value, np.diff(multi.offsets))
        else:
            ids = index.single[field]
            cached = (vocab.code_of[ids] + 1).astype(code_type(vocab))
            cached[ids <= 0] = 0
        index.derived[key] = cached
    return cached
