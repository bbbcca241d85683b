"""Templates, their filters, and the responses pages send (HTML, JSON, CSV, errors).

Everything a hub sends is untrusted text: autoescape is on for every template, links
from a hub are shown only when they are http(s), and the pages carry a Content Security
Policy that runs only our own scripts (a model card with `<script>` stays text).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import orjson
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from api.reports import fmt
from api.web.assets import Assets
from catalog.derive.usage import USAGE_NAMES

log = logging.getLogger("api.web")
TEMPLATES = Path(__file__).parent / "templates"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def safe_url(url: str | None) -> str | None:
    """`url` when it is an absolute http(s) link, else None (no `javascript:` from a hub)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def model_path(platform: str, external_id: str) -> str:
    """The model page of a model (ids keep their slashes; everything else is quoted)."""
    return f"/models/{quote(platform, safe='')}/{quote(external_id, safe='/')}"


def ref_path(ref: str) -> str:
    """The model page of `<platform>:<externalId>`."""
    platform, _, external_id = ref.partition(":")
    return model_path(platform, external_id)


def day(value: dt.datetime | None) -> str:
    """A date as YYYY-MM-DD (UTC); a dash when unknown."""
    return fmt.DASH if value is None else f"{value.astimezone(dt.UTC):%Y-%m-%d}"


def moment(value: dt.datetime | None) -> str:
    """A timestamp to the minute (UTC); a dash when unknown."""
    return fmt.DASH if value is None else f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def iso(value: dt.datetime | None) -> str:
    """ISO 8601 for `<time datetime=...>`."""
    return "" if value is None else value.isoformat()


def size(value: float | None) -> str:
    """Bytes for reading: 4.3 GB (powers of 1000, as the hubs show sizes)."""
    if value is None:
        return fmt.DASH
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:.0f} B"


_USAGE_ROWS = frozenset({"featureExtraction", "fineTuning", "zeroShot"})


def compare_value(value: str | None, attribute: str) -> str:
    """A comparison cell for reading: usages as yes/no/unknown, a license conflict as
    "conflict", the rest as the reports show them (sizes, counts, days)."""
    if attribute in _USAGE_ROWS:
        return {"true": "yes", "false": "no"}.get(value or "", "unknown")
    if attribute == "licenseConflict" and value is not None:
        return "conflict" if value == "true" else "none"
    return fmt.attribute_value(attribute, value)


def make_environment(assets: Assets) -> Environment:
    """The Jinja environment of the explorer's templates."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        compact=fmt.compact,
        count=fmt.count,
        day=day,
        moment=moment,
        iso=iso,
        safe_url=safe_url,
        size=size,
        gib=fmt.gib,
        compare_value=compare_value,
    )
    env.globals.update(
        asset=assets.url,
        model_path=model_path,
        ref_path=ref_path,
        DASH=fmt.DASH,
        USAGE_NAMES=USAGE_NAMES,
    )
    return env


class Renderer:
    """Turns page data into responses."""

    def __init__(self, assets: Assets) -> None:
        """Load the templates (compiled on first use, then cached)."""
        self.assets = assets
        self.env = make_environment(assets)

    def html(
        self, request: Request, template: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        """A page from a template, with the security headers."""
        body = self.env.get_template(template).render(request=request, **context)
        return HTMLResponse(body, status_code=status, headers=PAGE_HEADERS)

    def error(
        self,
        request: Request,
        status: int,
        title: str,
        message: str,
        link: tuple[str, str] | None = None,
    ) -> Response:
        """An error page saying what went wrong and what to do (JSON when asked for JSON).

        Args:
            request: The request that failed.
            status: HTTP status.
            title: Page heading.
            message: What went wrong, in words the reader can act on.
            link: (text, URL) of the next step, if there is one.
        """
        if request.query_params.get("format") in ("json", "csv"):
            return json_response({"error": message}, status)
        context = {"title": title, "message": message, "link": link, "nav": ""}
        return self.html(request, "error.html", context, status)


def json_response(data: Any, status: int = 200) -> Response:
    """Data (dataclasses, datetimes, dicts) as pretty JSON."""
    body = orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)
    return Response(body, status_code=status, media_type="application/json")


def _cell(value: Any) -> Any:
    """A CSV cell; text that a spreadsheet would run as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A CSV download (UTF-8, one header line)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
