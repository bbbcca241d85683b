"""A local stand-in for Civitai's `GET /api/v1/models`, as its docs and recordings show it.

Serves the fixture models with the real query parameters (`limit` 1-100, `sort`,
`period`, `nsfw`, `types` repeated or comma-separated, `baseModels`), cursor paging
(`metadata.nextCursor` and `nextPage`; cursors are keyset positions such as
`"1690000000000|122359"`, so models added meanwhile do not shift a walk) and page
paging (`page`; `page * limit > 1000` answers 429 with Civitai's message). Metadata
comes in the shape of an era: `current` (2025: `nextCursor`/`nextPage`, page mode
`currentPage`/`pageSize`), `legacy` (2023: `totalItems`/`totalPages`/`nextPage`/
`prevPage`) or `both` (2024: cursor and page fields together). It checks the Bearer
token when one is set, records requests, and answers queued faults (429 with
Retry-After, 5xx, truncated bodies) or a cursor loop.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.harvesters.onnx_zoo.local_http import serve_handler

PATH = "/api/v1/models"
SORTS = {
    "Highest Rated",
    "Most Downloaded",
    "Most Liked",
    "Most Discussed",
    "Most Collected",
    "Most Images",
    "Newest",
    "Oldest",
}
PERIODS = {"AllTime", "Year", "Month", "Week", "Day"}
TOO_MANY_PAGES = "You've requested too many pages, please use cursors instead"


@dataclass
class Fault:
    """One queued answer instead of a page: a status with headers, or a truncated body."""

    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    truncate: bool = False


@dataclass
class FakeCivitai:
    """State and knobs of the fake API (tests change them between runs)."""

    models: list[Any]
    token: str | None = None  # the accepted API key (None: no auth required)
    era: str = "current"  # metadata shape: current | legacy | both
    page_cap: int = 1000
    loop: bool = False  # always answer the same nextCursor
    body_override: bytes | None = None
    faults: list[Fault] = field(default_factory=list)
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)
    base_url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, *, times: int = 1, headers: dict[str, str] | None = None):
        """Answer `status` to the next `times` requests."""
        self.faults += [Fault(status, dict(headers or {})) for _ in range(times)]

    def truncate_next(self, times: int = 1) -> None:
        """Cut the next `times` bodies short (invalid JSON)."""
        self.faults += [Fault(200, truncate=True) for _ in range(times)]

    def answer(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        """The status and JSON body of one list request."""
        try:
            limit = int(_one(query, "limit") or 100)
        except ValueError:
            return 400, {"error": "limit must be a number"}
        sort = _one(query, "sort") or "Highest Rated"
        period = _one(query, "period") or "AllTime"
        if not 0 <= limit <= 100 or sort not in SORTS or period not in PERIODS:
            return 400, {"error": "Invalid query parameters", "issues": [limit, sort, period]}
        page = _one(query, "page")
        if page is not None and _one(query, "query"):
            return 400, {"error": "Cannot use page param with query search"}
        listed = sorted(self._selected(query), key=lambda m: sort_key(m, sort))
        if page is not None:
            return self._page(listed, int(page), limit, query)
        return 200, self._cursor_page(listed, _one(query, "cursor"), limit, sort, query)

    def _selected(self, query: dict[str, list[str]]) -> list[Any]:
        types = {t for value in query.get("types", []) for t in value.split(",") if t}
        bases = {b for value in query.get("baseModels", []) for b in value.split(",") if b}
        safe_only = (_one(query, "nsfw") or "false") == "false"
        chosen = []
        for model in self.models:
            if not isinstance(model, dict):
                chosen.append(model)
                continue
            if types and model.get("type") not in types:
                continue
            if bases and not bases & {v.get("baseModel") for v in model.get("modelVersions", [])}:
                continue
            if safe_only and is_nsfw(model):
                continue
            chosen.append(model)
        return chosen

    def _cursor_page(
        self, listed: list[Any], cursor: str | None, limit: int, sort: str, query: dict
    ) -> dict[str, Any]:
        start = 0
        if cursor:
            after = tuple(int(part) for part in cursor.split("|"))
            start = next(
                (i for i, m in enumerate(listed) if sort_key(m, sort) > after), len(listed)
            )
        chunk = listed[start : start + limit]
        metadata: dict[str, Any] = {}
        if start + limit < len(listed) and chunk:
            next_cursor = cursor if self.loop and cursor else _cursor(sort_key(chunk[-1], sort))
            metadata["nextCursor"] = next_cursor
            metadata["nextPage"] = self._url({**query, "cursor": [next_cursor]})
        if self.era == "both":
            metadata.update(currentPage=1, pageSize=limit)
        return {"items": chunk, "metadata": metadata}

    def _page(
        self, listed: list[Any], page: int, limit: int, query: dict
    ) -> tuple[int, dict[str, Any]]:
        if page < 1:
            return 400, {"error": "page must be positive"}
        if page * limit > self.page_cap:
            return 429, {"error": TOO_MANY_PAGES}
        chunk = listed[(page - 1) * limit : page * limit]
        more = page * limit < len(listed)
        metadata: dict[str, Any] = {"currentPage": page, "pageSize": limit}
        if more:
            metadata["nextPage"] = self._url({**query, "page": [str(page + 1)]})
        if self.era == "legacy":
            pages = -(-len(listed) // limit) if limit else 0
            metadata.update(totalItems=len(listed), totalPages=pages)
            if page > 1:
                metadata["prevPage"] = self._url({**query, "page": [str(page - 1)]})
        if self.era == "both" and more and chunk:
            metadata["nextCursor"] = _cursor(sort_key(chunk[-1], _one(query, "sort") or ""))
        return 200, {"items": chunk, "metadata": metadata}

    def _url(self, query: dict[str, list[str]]) -> str:
        return f"{self.base_url}{PATH}?{urlencode(query, doseq=True)}"


def is_nsfw(model: dict[str, Any]) -> bool:
    """What the fake hides from `nsfw=false`: flagged models and those with no PG content."""
    level = model.get("nsfwLevel")
    return model.get("nsfw") is True or (isinstance(level, int) and level > 0 and not level & 3)


def last_version_at(model: Any) -> int:
    """Milliseconds of the newest version's publication (Civitai's `lastVersionAt`)."""
    times = []
    for version in model.get("modelVersions", []) if isinstance(model, dict) else []:
        for name in ("publishedAt", "createdAt"):
            value = version.get(name)
            if isinstance(value, str):
                moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                times.append(int(moment.timestamp() * 1000))
    return max(times, default=0)


def sort_key(model: Any, sort: str) -> tuple[int, int]:
    """The keyset position of a model in an order (ties broken by id)."""
    if not isinstance(model, dict):
        return (0, 0)
    model_id = model.get("id") if isinstance(model.get("id"), int) else 0
    stats = model.get("stats") if isinstance(model.get("stats"), dict) else {}
    if sort == "Newest":
        return (-last_version_at(model), -model_id)
    if sort == "Oldest":
        return (last_version_at(model), model_id)
    if sort == "Most Downloaded":
        return (-(stats.get("downloadCount") or 0), -model_id)
    return (-(stats.get("thumbsUpCount") or stats.get("favoriteCount") or 0), -model_id)


def _cursor(key: tuple[int, int]) -> str:
    return "|".join(str(part) for part in key)


def _one(query: dict[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _handler(fake: FakeCivitai) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            """Keep test output clean."""

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            with fake.lock:
                fake.requests.append(query)
                fake.authorizations.append(self.headers.get("Authorization") or "")
                fault = fake.faults.pop(0) if fake.faults else None
            if parts.path != PATH:
                self._send(404, b'{"error": "Not found"}')
            elif fake.token and self.headers.get("Authorization") != f"Bearer {fake.token}":
                self._send(401, b'{"error": "Unauthorized"}')
            elif fault is not None and not fault.truncate:
                self._send(fault.status, b'{"error": "fault"}', fault.headers)
            elif fake.body_override is not None:
                self._send(200, fake.body_override)
            else:
                status, answer = fake.answer(query)
                body = json.dumps(answer).encode()
                self._send(status, body[: len(body) // 2] if fault else body)

    return Handler


@contextmanager
def running(fake: FakeCivitai) -> Iterator[FakeCivitai]:
    """Serve `fake` on 127.0.0.1; sets `fake.base_url` (the site URL, without /api/v1)."""
    with serve_handler(_handler(fake)) as base_url:
        fake.base_url = f"{base_url}"
        yield fake
