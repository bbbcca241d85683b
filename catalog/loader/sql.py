"""Small helpers to run batch statements over unnested arrays."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def execute(session: Session, sql: str, params: Mapping[str, Any]) -> Any:
    """Execute one batch statement; the caller's transaction stays open."""
    return session.execute(text(sql), dict(params))


def json_text(value: Any) -> str:
    """JSON text PostgreSQL's jsonb accepts (no NUL escapes, no lone surrogates)."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return sanitize_json_text(raw)


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
