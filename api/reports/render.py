"""One entry point from a report and a format name to text."""

from __future__ import annotations

from collections.abc import Callable

from api.reports.data import Report
from api.reports.html import render_html
from api.reports.markdown import render_markdown
from api.reports.tables import render_csv, render_json

RENDERERS: dict[str, Callable[[Report], str]] = {
    "md": render_markdown,
    "html": render_html,
    "csv": render_csv,
    "json": render_json,
}


def render(report: Report, fmt: str) -> str:
    """Render `report` as `fmt` (one of `RENDERERS`).

    Raises:
        ValueError: for an unknown format name.
    """
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(RENDERERS)}") from None
    return renderer(report)
