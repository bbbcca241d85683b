"""A fake Hugging Face Hub: a real HTTP server on 127.0.0.1 that speaks the model API.

It serves `GET /api/models` (``limit``, ``sort``, ``direction``, ``author``, ``filter``,
``search``, ``pipeline_tag``, ``full``, ``cardData``, ``expand``/``expand[]``, an opaque
``cursor`` and ``Link: <...>; rel="next"`` pagination) and ``GET /api/models/{id}``
(307 with a relative ``Location`` for renamed repos, 404 for removed ones). Tests steer
it: ``fail_next`` (429/5xx with headers), ``storm`` (every n-th request fails, for
good), ``truncate_next`` (cut-off JSON), ``delay`` (seconds added to every answer),
``touch`` (change a model and bump its ``lastModified``), and edit ``models`` directly.

Payloads come from `generate_models`, shaped like what the Hub sends (keys absent
rather than null, strings where lists are expected and the reverse, ``gated`` false |
"auto" | "manual", the ``createdAt`` placeholder of legacy repos).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

import httpx

from catalog.settings import Settings
from tests.harvesters.huggingface.payloads import generate_models

__all__ = ["FakeHub", "generate_models", "hub_settings"]

# Fields the Hub returns from the list endpoint when neither `full` nor `expand` is set.
COMPACT_FIELDS = (
    "_id",
    "id",
    "likes",
    "trendingScore",
    "private",
    "downloads",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "modelId",
)
# `full=true` returns everything but these (cardData needs `cardData=true`).
NOT_IN_FULL = frozenset({"cardData", "config", "transformersInfo", "safetensors", "gguf"})
NUMERIC_SORTS = frozenset({"downloads", "likes", "trendingScore", "downloadsAllTime"})
SORT_FIELDS = frozenset(
    {"lastModified", "downloads", "likes", "createdAt", "trendingScore", "downloadsAllTime", "id"}
)


def hub_settings(hub: FakeHub, token: str | None = None) -> Settings:
    """Settings pointing the Hugging Face harvester at `hub` (and only at it)."""
    options: dict[str, object] = {"url": hub.url}
    if token is not None:
        options["token"] = token
    return Settings(harvesters={"huggingface": options})


def _now_iso() -> str:
    now = dt.datetime.now(dt.UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class FakeHub:
    """The fake Hub server; use it as a context manager (or call `start`/`stop`).

    Attributes:
        url: Base URL, e.g. ``http://127.0.0.1:PORT`` (set once started).
        models: The Hub's models (payload dicts); tests may edit, add or remove them.
        requests: Paths with query strings of every request served, in order.
        renamed: Old id -> new id: ``/api/models/{old}`` answers 307 to the new one.
        gone: Ids whose detail answers 404 even while the list still shows them.
        required_token: When set, requests without ``Authorization: Bearer <it>`` get 401.
        auth_headers: The ``Authorization`` header of every request (None when absent).
    """

    def __init__(self, models: list[dict[str, Any]], page_size_cap: int = 1000) -> None:
        self.models = models
        self.page_size_cap = page_size_cap
        self.requests: list[str] = []
        self.renamed: dict[str, str] = {}
        self.gone: set[str] = set()
        self.required_token: str | None = None
        self.auth_headers: list[str | None] = []
        self.url = ""
        self.delay = 0.0
        self._storm: tuple[int, tuple[int, ...]] | None = None
        self._served = 0
        self._failures: deque[tuple[int, dict[str, str]]] = deque()
        self._truncations = 0
        self._lock = threading.Lock()
        self._last_touch = ""
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeHub:
        """Start serving on a free port of 127.0.0.1."""
        hub = self

        class Handler(_Handler):
            owner = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        self.url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- steering ----------------------------------------------------------------------

    def fail_next(self, status: int, times: int = 1, headers: dict[str, str] | None = None) -> None:
        """Answer the next `times` requests with `status` (and `headers`, e.g. Retry-After)."""
        with self._lock:
            self._failures.extend((status, dict(headers or {})) for _ in range(times))

    def storm(self, every: int, statuses: tuple[int, ...] = (429, 500, 502, 503)) -> None:
        """From now on answer every `every`-th request with the next of `statuses` (a 429
        carries ``Retry-After: 0``); `every=0` ends the storm."""
        with self._lock:
            self._storm = (every, statuses) if every else None

    def truncate_next(self, times: int = 1) -> None:
        """Cut the JSON body of the next `times` successful responses in half."""
        with self._lock:
            self._truncations += times

    def touch(self, model_id: str, **changes: Any) -> None:
        """Apply `changes` to a model and set its ``lastModified`` to now, or later: strictly
        after every other model's, so an incremental run sees exactly the touched ones."""
        model = self.find(model_id)
        if model is None:
            raise KeyError(model_id)
        with self._lock:
            newest = max(
                (m["lastModified"] for m in self.models if isinstance(m.get("lastModified"), str)),
                default="",
            )
            stamp = max(_now_iso(), *(_bump_ms(s) for s in (newest, self._last_touch) if s))
            self._last_touch = stamp
            model.update(changes)
            model["lastModified"] = stamp

    def find(self, model_id: str) -> dict[str, Any] | None:
        """The model with that id, if the Hub has it."""
        return next((m for m in self.models if m.get("id") == model_id), None)

    # -- serving (called from handler threads) ------------------------------------------

    def _next_fault(self) -> tuple[int, dict[str, str]] | None:
        with self._lock:
            self._served += 1
            if self._failures:
                return self._failures.popleft()
            if self._storm is not None and self._served % self._storm[0] == 0:
                statuses = self._storm[1]
                status = statuses[self._served // self._storm[0] % len(statuses)]
                return status, ({"Retry-After": "0"} if status == 429 else {})
            return None

    def _take_truncation(self) -> bool:
        with self._lock:
            if self._truncations:
                self._truncations -= 1
                return True
            return False

    def _list(self, query: list[tuple[str, str]]) -> tuple[list[dict[str, Any]], str | None]:
        params = _Params(query, self.page_size_cap)
        selected = [m for m in list(self.models) if params.matches(m)]
        selected.sort(key=params.sort_key, reverse=params.descending)
        if params.cursor is not None:
            selected = [m for m in selected if params.after_cursor(m)]
        page = selected[: params.limit]
        next_url = None
        if len(selected) > params.limit and page:
            next_query = [(k, v) for k, v in query if k != "cursor"]
            next_query.append(("cursor", _encode_cursor(params.sort_key(page[-1]))))
            next_url = f"{self.url}/api/models?{urlencode(next_query)}"
        return [params.project(m) for m in page], next_url


def _bump_ms(stamp: str) -> str:
    when = dt.datetime.fromisoformat(stamp) + dt.timedelta(milliseconds=1)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _encode_cursor(key: tuple[Any, ...]) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(value: str) -> tuple[Any, ...]:
    padded = value + "=" * (-len(value) % 4)
    return tuple(json.loads(base64.urlsafe_b64decode(padded)))


class _Params:
    """The list endpoint's query parameters, parsed."""

    def __init__(self, query: list[tuple[str, str]], cap: int) -> None:
        multi: dict[str, list[str]] = {}
        for key, value in query:
            multi.setdefault(key.removesuffix("[]"), []).append(value)
        one = {k: v[-1] for k, v in multi.items()}
        self.limit = max(1, min(int(one.get("limit", cap)), cap))
        self.sort = one.get("sort")
        if self.sort is not None and self.sort not in SORT_FIELDS:
            raise ValueError(f"unsupported sort {self.sort!r}")
        self.descending = self.sort is not None and one.get("direction", "-1") == "-1"
        self.author = one.get("author")
        self.search = one.get("search", "").lower()
        self.filters = multi.get("filter", [])
        self.pipeline_tag = one.get("pipeline_tag")
        self.full = one.get("full", "").lower() in {"true", "1"}
        self.card_data = one.get("cardData", "").lower() in {"true", "1"}
        self.expand = multi.get("expand")
        self.cursor = _decode_cursor(one["cursor"]) if "cursor" in one else None

    def matches(self, model: dict[str, Any]) -> bool:
        model_id = str(model.get("id", ""))
        if self.author is not None and model_id.split("/", 1)[0].lower() != self.author.lower():
            return False
        if self.search and self.search not in model_id.lower():
            return False
        if self.pipeline_tag is not None and model.get("pipeline_tag") != self.pipeline_tag:
            return False
        tags = model.get("tags") or []
        return all(f in tags for f in self.filters)

    def sort_key(self, model: dict[str, Any]) -> tuple[Any, ...]:
        tie = str(model.get("_id") or model.get("id") or "")
        if self.sort is None:
            return (0, 0, tie)
        value = model.get(self.sort)
        numeric = self.sort in NUMERIC_SORTS
        present = (
            isinstance(value, int | float) and not isinstance(value, bool)
            if numeric
            else isinstance(value, str)
        )
        if not present:
            value = 0 if numeric else ""
        # A model without the field sorts last whichever the direction.
        flag = int(present) if self.descending else int(not present)
        return (flag, value, tie)

    def after_cursor(self, model: dict[str, Any]) -> bool:
        assert self.cursor is not None
        key = self.sort_key(model)
        return key < self.cursor if self.descending else key > self.cursor

    def project(self, model: dict[str, Any]) -> dict[str, Any]:
        if self.expand:
            fields = {"_id", "id", *self.expand}
        elif self.full:
            fields = {k for k in model if k not in NOT_IN_FULL}
            if self.card_data:
                fields.add("cardData")
        else:
            fields = set(COMPACT_FIELDS)
        out = {k: v for k, v in model.items() if k in fields}
        if "siblings" in out:
            out["siblings"] = _siblings(out["siblings"], blobs=False)
        return out


def _siblings(siblings: Any, *, blobs: bool) -> Any:
    """The list endpoint shows file names only; the detail with `blobs=true` adds sizes."""
    if not isinstance(siblings, list) or blobs:
        return siblings
    return [{"rfilename": s.get("rfilename")} if isinstance(s, dict) else s for s in siblings]


class _Handler(BaseHTTPRequestHandler):
    owner: FakeHub
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Keep test output quiet."""

    def do_GET(self) -> None:
        hub = self.owner
        hub.requests.append(self.path)
        if hub.delay:
            time.sleep(hub.delay)
        auth = self.headers.get("Authorization")
        hub.auth_headers.append(auth)
        fault = hub._next_fault()
        if fault is not None:
            status, headers = fault
            self._send_json(status, {"error": f"fake failure {status}"}, headers)
            return
        if hub.required_token is not None and auth != f"Bearer {hub.required_token}":
            self._send_json(401, {"error": "Invalid credentials in Authorization header"})
            return
        parts = urlsplit(self.path)
        query = parse_qsl(parts.query, keep_blank_values=True)
        try:
            if parts.path.rstrip("/") == "/api/models":
                self._serve_list(query)
            elif parts.path.startswith("/api/models/"):
                self._serve_detail(unquote(parts.path.removeprefix("/api/models/")), parts.query)
            else:
                self._send_json(404, {"error": "Not found"})
        except (ValueError, KeyError) as exc:
            self._send_json(400, {"error": f"bad request: {exc}"})

    def _serve_list(self, query: list[tuple[str, str]]) -> None:
        page, next_url = self.owner._list(query)
        headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
        self._send_json(200, page, headers)

    def _serve_detail(self, model_id: str, query: str) -> None:
        hub = self.owner
        if model_id in hub.renamed:
            location = f"/api/models/{hub.renamed[model_id]}" + (f"?{query}" if query else "")
            body = f"Temporary Redirect. Redirecting to {location}".encode()
            self._send(307, body, "text/plain; charset=utf-8", {"Location": location})
            return
        model = None if model_id in hub.gone else hub.find(model_id)
        if model is None:
            self._send_json(404, {"error": "Repository not found"})
            return
        blobs = ("blobs", "true") in parse_qsl(query)
        out = dict(model)
        if "siblings" in out:
            out["siblings"] = _siblings(out["siblings"], blobs=blobs)
        self._send_json(200, out)

    def _send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        if status == 200 and self.owner._take_truncation():
            data = data[: max(1, len(data) // 2)]
        self._send(status, data, "application/json; charset=utf-8", headers or {})

    def _send(self, status: int, data: bytes, content_type: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


def iter_pages(hub: FakeHub, path: str) -> Iterator[list[dict[str, Any]]]:
    """Follow `Link` pages from `path` with plain httpx (for tests of the fake itself)."""
    url: str | None = f"{hub.url}{path}"
    with httpx.Client() as client:
        while url:
            response = client.get(url)
            response.raise_for_status()
            yield response.json()
            url = response.links.get("next", {}).get("url")
