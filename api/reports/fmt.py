"""Small text helpers shared by the renderers: numbers, dates, widths, truncation."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable

ELLIPSIS = "…"
# Columns of a landscape's top-models table; "weights" is the memory of the weights only.
LANDSCAPE_HEADER = (
    "#", "model", "platform", "parameters", "downloads", "likes", "license", "formats",
    "uses", "weights",
)  # fmt: skip
DASH = "—"

_SUFFIXES = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))


def compact(value: float | None) -> str:
    """A short human figure: 1234 -> "1.2k", 7_000_000_000 -> "7B"; None -> "—"."""
    if value is None:
        return DASH
    for size, suffix in _SUFFIXES:
        if abs(value) >= size:
            scaled = value / size
            text = f"{scaled:.1f}" if scaled < 100 else f"{scaled:.0f}"
            return text.removesuffix(".0") + suffix
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2g}"


def count(value: int | None) -> str:
    """An exact count with thousands separators; None -> "—"."""
    return DASH if value is None else f"{value:,}"


def percent(part: int, whole: int) -> str:
    """`part` as a share of `whole`, e.g. "42%"; "<1%" for small non-zero shares."""
    if whole <= 0:
        return DASH
    share = 100 * part / whole
    if 0 < share < 1:
        return "<1%"
    return f"{share:.0f}%"


def day(iso: str | None) -> str:
    """The date part of an ISO timestamp ("2024-05-01T12:00:00+00:00" -> "2024-05-01")."""
    return DASH if not iso else iso[:10]


def char_width(char: str) -> int:
    """Display columns of one character: 2 for wide East Asian forms, 0 for combining."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Display columns of a string (wide characters count twice)."""
    return sum(char_width(c) for c in text)


def truncate(text: str, width: int) -> str:
    """Cut `text` to at most `width` display columns, ending with an ellipsis if cut."""
    text = " ".join(text.split())  # newlines and tabs would break one-line labels
    if display_width(text) <= width:
        return text
    kept: list[str] = []
    used = 0
    for char in text:
        need = char_width(char)
        if used + need > width - 1:
            break
        kept.append(char)
        used += need
    return "".join(kept).rstrip() + ELLIPSIS


def log10_floor(value: float) -> int:
    """The power of ten at or below `value` (> 0)."""
    return math.floor(math.log10(value))


def log10_ceil(value: float) -> int:
    """The power of ten at or above `value` (> 0)."""
    return math.ceil(math.log10(value))


def gib(size: float | None) -> str:
    """Bytes as GiB for reading: "4.5 GiB", "0.02 GiB"."""
    if size is None:
        return DASH
    value = size / 2**30
    return f"{value:.2f} GiB" if value < 10 else f"{value:.1f} GiB"


def attribute_value(attribute: str, value: str | None) -> str:
    """A comparison value for reading: sizes shortened, counts grouped, dates as days.

    The API sends values as plain strings ("7000000000.0", "2024-05-01T12:00:00+00:00");
    CSV and JSON keep them as sent, Markdown and HTML show them this way.
    """
    if value is None or value == "":
        return DASH
    shown = _NUMBERS.get(attribute)
    try:
        if shown is not None:
            return shown(float(value))
    except ValueError:
        return value
    if attribute in ("created", "lastModified"):
        return day(value)
    return value


_NUMBERS: dict[str, Callable[[float], str]] = {
    "parameters": compact,
    "downloads": lambda v: count(round(v)),
    "likes": lambda v: count(round(v)),
    "memory": lambda v: f"{gib(v)} (weights only)",
}
