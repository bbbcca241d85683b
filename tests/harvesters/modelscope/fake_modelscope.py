"""A local stand-in for ModelScope: the SDK's listing and the legacy model detail.

* `GET /openapi/v1/models?page_number=&page_size=[&sort=]`: snake_case items in
  `{"success": true, "data": {"models", "total_count", "page_number", "page_size"}}`
  (`listing="openapi"`), or the PascalCase DTOs in `{"Code": 200, "Data": {"Models",
  "TotalCount"}, "Success": true, ...}` (`listing="legacy"`, the older schema).
* `GET /api/v1/models/{owner}/{name}`: `{"Code": 200, "Data": <DTO>, "Message",
  "RequestId", "Success": true}`; an unknown model answers 404 with `Success: false`.

The models are PascalCase DTOs shaped like the recorded website response
(../shared/samples/modelscope/); the listing items are derived from them the way the
SDK's types describe (`id`, `display_name`, `likes`, ISO times, task names). Knobs inject
faults: status codes with `Retry-After`, a paging loop, a listing capped at a window,
models whose detail is gone, a required token.
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
from urllib.parse import parse_qs, unquote, urlsplit

from tests.harvesters.onnx_zoo.local_http import serve_handler

LIST_PATH = "/openapi/v1/models"
DETAIL_PREFIX = "/api/v1/models/"


def iso(value: object) -> object:
    """Unix seconds as the OpenAPI's ISO `...Z` form; other values as they are."""
    if isinstance(value, int) and value > 0:
        return dt.datetime.fromtimestamp(value, tz=dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def listing_item(model: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI listing item of a DTO (the fields the SDK's `ModelInfo` reads)."""
    item: dict[str, Any] = {
        "display_name": model.get("ChineseName") or model.get("Name"),
        "description": model.get("Description", ""),
        "downloads": model.get("Downloads", 0),
        "likes": model.get("Stars", model.get("Likes", 0)),
        "created_at": iso(model.get("CreatedTime")),
        "last_modified": iso(model.get("LastUpdatedTime")),
        "license": model.get("License", ""),
        "tags": model.get("Tags") or [],
        "tasks": [t["Name"] if isinstance(t, dict) else t for t in model.get("Tasks") or []],
        "file_size": 0,
        "private": model.get("Visibility") == 1,
        "gated": False,
    }
    if model.get("Path") and model.get("Name"):
        item = {"id": f"{model['Path']}/{model['Name']}", **item}
    return item


@dataclass
class FakeModelScope:
    """State and knobs of the fake (tests change them between runs)."""

    models: list[dict[str, Any]]
    listing: str = "openapi"  # or "legacy": PascalCase DTOs in the old envelope
    token: str | None = None  # the Bearer token the listing requires (None: any)
    window: int | None = None  # answer no models past page_number * page_size > window
    loop: bool = False  # every page is page 1
    gone: set[str] = field(default_factory=set)  # ids whose detail answers 404
    faults: list[tuple[str, int, dict[str, str]]] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    base_url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(
        self, status: int, *, times: int = 1, retry_after: str | None = None, path: str = "/"
    ) -> None:
        """Answer `status` to the next `times` requests whose path starts with `path`."""
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        self.faults.extend([(path, status, headers)] * times)

    def take_fault(self, path: str) -> tuple[int, dict[str, str]] | None:
        with self._lock:
            for index, (prefix, status, headers) in enumerate(self.faults):
                if path.startswith(prefix):
                    del self.faults[index]
                    return status, headers
        return None

    def by_id(self) -> dict[str, dict[str, Any]]:
        return {f"{m.get('Path')}/{m.get('Name')}": m for m in self.models}

    def page(self, params: dict[str, str]) -> dict[str, Any]:
        number = 1 if self.loop else max(1, int(params.get("page_number", "1")))
        size = max(1, int(params.get("page_size", "10")))
        chunk = self.models[(number - 1) * size : number * size]
        if self.window is not None and number * size > self.window:
            chunk = []
        if self.listing == "legacy":
            data = {"Models": chunk, "TotalCount": len(self.models)}
            return {"Code": 200, "Data": data, "Message": "success", "Success": True}
        data = {
            "models": [listing_item(m) for m in chunk],
            "total_count": len(self.models),
            "page_number": number,
            "page_size": size,
        }
        return {"success": True, "data": data}

    def detail(self, model_id: str) -> tuple[int, dict[str, Any]]:
        model = None if model_id in self.gone else self.by_id().get(model_id)
        if model is None:
            return 404, {
                "Code": 10010205,
                "Data": None,
                "Message": "model not exist",
                "Success": False,
            }
        body = {"Code": 200, "Data": model, "Message": "success", "RequestId": "fixture"}
        return 200, {**body, "Success": True}


def _handler(fake: FakeModelScope) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            """Keep test output clean."""

        def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
            payload = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            fake.requests.append((parts.path, params))
            fake.headers_seen.append(dict(self.headers.items()))
            fault = fake.take_fault(parts.path)
            if fault is not None:
                self._send(fault[0], {"success": False, "message": "busy"}, fault[1])
            elif parts.path == LIST_PATH:
                wanted = f"Bearer {fake.token}"
                if fake.token and self.headers.get("Authorization") != wanted:
                    self._send(401, {"success": False, "message": "invalid token"})
                else:
                    self._send(200, fake.page(params))
            elif parts.path.startswith(DETAIL_PREFIX):
                self._send(*fake.detail(unquote(parts.path.removeprefix(DETAIL_PREFIX))))
            else:
                self._send(404, {"Code": 404, "Message": "not found", "Success": False})

    return Handler


@contextmanager
def running(fake: FakeModelScope) -> Iterator[FakeModelScope]:
    """Serve `fake` on 127.0.0.1; sets `fake.base_url` (the site URL the harvester takes)."""
    with serve_handler(_handler(fake)) as base_url:
        fake.base_url = f"{base_url}"
        yield fake
