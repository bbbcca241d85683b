"""Run batch statements over unnested arrays, with binary parameters.

Batch statements pass whole columns as array parameters. psycopg sends them in binary
format here: the text format escapes every array element with a regular expression,
which costs more than the rest of a load. Statements run on the session's own
connection, inside its transaction.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson
import psycopg
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from catalog.errors import CatalogError

_PARAM = re.compile(r"(?<![:\w]):(\w+)")


class LoadRejectedError(CatalogError):
    """The database refused a batch statement (a constraint, a bad value)."""


class LoadContendedError(CatalogError):
    """A batch statement lost a race with another transaction (a deadlock, a
    serialization failure, a lock timeout): not the records' fault, worth retrying."""


# SQLSTATEs of a lost race: deadlock_detected, serialization_failure, lock_not_available.
CONTENDED = frozenset({"40P01", "40001", "55P03"})


@dataclass(frozen=True, slots=True)
class Rows:
    """The rows a statement returned and how many rows it touched."""

    rows: list[tuple[Any, ...]]
    rowcount: int

    def all(self) -> list[tuple[Any, ...]]:
        """Every returned row."""
        return self.rows

    def scalar(self) -> Any:
        """The first column of the first row (None without rows)."""
        return self.rows[0][0] if self.rows else None


@lru_cache(maxsize=256)
def _to_psycopg(sql: str) -> str:
    """`:name` placeholders to psycopg binary ones, `%(name)b` (`::jsonb` casts stay)."""
    return _PARAM.sub(r"%(\1)b", sql)


def execute(session: Session, sql: str, params: Mapping[str, Any]) -> Rows:
    """Execute one batch statement in the session's transaction.

    Cast every array parameter in the SQL (`= ANY(CAST(:ids AS text[]))`): a binary
    parameter carries psycopg's guess of its type, and a guess that differs from the
    column's keeps PostgreSQL from using the index (a scan of the whole table per batch).

    Raises:
        LoadRejectedError: the database refused the statement.
        LoadContendedError: the statement lost a race with another transaction.
        sqlalchemy.exc.OperationalError: the connection died (`connection_invalidated`
            is set, as when SQLAlchemy itself meets a dead connection).
    """
    connection = session.connection()
    conn = connection.connection.driver_connection
    assert isinstance(conn, psycopg.Connection)
    try:
        with conn.cursor(binary=True) as cur:
            # Unprepared: a generic plan for `= ANY(array)` can pick scans that a plan made
            # for the actual batch avoids, and planning a batch statement costs little.
            cur.execute(_to_psycopg(sql), dict(params), binary=True, prepare=False)
            rows = cur.fetchall() if cur.description else []
            return Rows(rows, cur.rowcount)
    except psycopg.Error as exc:
        if conn.broken or conn.closed:
            # Not the records' fault: no quarantine, and the pool must drop the connection.
            connection.invalidate(exc)
            raise OperationalError(sql, dict(params), exc, connection_invalidated=True) from exc
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if exc.sqlstate in CONTENDED:
            raise LoadContendedError(first) from exc
        raise LoadRejectedError(first) from exc


def json_text(value: Any, *, sort_keys: bool = False) -> str:
    """JSON text that PostgreSQL's jsonb accepts, for any JSON-like value.

    orjson does the common case fast (it writes non-finite floats as null). What it
    refuses (lone surrogates, integers beyond 64 bits) goes through `json` after
    non-finite floats become null; NUL and lone surrogates become U+FFFD either way.
    Deterministic: the same value always gives the same text.
    """
    option = orjson.OPT_NON_STR_KEYS | (orjson.OPT_SORT_KEYS if sort_keys else 0)
    try:
        text = orjson.dumps(value, default=str, option=option).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        text = json.dumps(
            _finite(value),
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=sort_keys,
            default=str,
        )
    return sanitize_json_text(text)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def sanitize_json_text(raw: str) -> str:
    """Make JSON text storable as jsonb: NUL and lone surrogates become U+FFFD."""
    if "\\u0000" in raw:
        raw = raw.replace("\\u0000", "\\ufffd")
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError:
        raw = raw.encode("utf-8", errors="replace").decode("utf-8")
    return raw


def columns(rows: Sequence[Sequence[Any]], count: int) -> list[list[Any]]:
    """Transpose rows into `count` column lists (for unnest parameters)."""
    if not rows:
        return [[] for _ in range(count)]
    return [list(col) for col in zip(*rows, strict=True)]
