"""Small tolerant readers for payload values: strings, lists of strings, clean text.

PostgreSQL text takes neither NUL nor lone surrogates, and JSON can carry both; every
string a record keeps passes through `clean`.
"""

from __future__ import annotations

import re
from typing import Any

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def clean(value: Any, limit: int | None = None) -> str | None:
    """`value` stripped, without NUL, with lone surrogates replaced, cut to `limit`.

    Returns None for non-strings and for strings that are empty once cleaned.
    """
    if type(value) is not str:
        return None
    text = value.strip()
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
    if "\x00" in text:
        text = text.replace("\x00", "").strip()
    if limit is not None and len(text) > limit:
        text = text[:limit].rstrip()
    return text or None


def as_str(value: Any, limit: int | None = None) -> str | None:
    """A string field that may arrive as a list: the first usable string."""
    if isinstance(value, list):
        for item in value:
            text = clean(item, limit)
            if text is not None:
                return text
        return None
    return clean(value, limit)


def as_list(value: Any) -> list[Any]:
    """A list field that may arrive as a single string (or be absent)."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [value]
    return []


def summarize(text: str, limit: int = 300) -> str:
    """The first paragraph of `text`, cut at a sentence (or word) end within `limit`."""
    first = text.strip().split("\n\n", 1)[0].strip()
    first = " ".join(first.split())
    if len(first) <= limit:
        return first
    head = first[:limit]
    ends = [m.start() for m in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] > limit // 3:
        return head[: ends[-1]].rstrip()
    cut = head.rsplit(" ", 1)[0] if " " in head else head
    return cut.rstrip() + "…"
