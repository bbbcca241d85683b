"""A local stand-in for Kaggle's models API: `POST /v1/models.ModelApiService/ListModels`.

Pages the fixture models by `pageSize`/`pageToken` (tokens are opaque strings), checks
the Authorization header, records requests, and can inject faults.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.harvesters.onnx_zoo.local_http import serve_handler

PATH = "/v1/models.ModelApiService/ListModels"


@dataclass
class FakeKaggle:
    """State and knobs of the fake API (tests change them between runs)."""

    models: list[Any]
    authorization: str | None = None  # the header value that is accepted (None: any)
    fail_times: int = 0  # answer 503 (Retry-After: 0) this many times first
    loop: bool = False  # always answer the same nextPageToken
    body_override: bytes | None = None  # answer this body (200) instead of a page
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers_seen: list[str] = field(default_factory=list)
    base_url: str = ""

    def page(self, body: dict[str, Any]) -> dict[str, Any]:
        size = int(body.get("pageSize") or 20)
        token = body.get("pageToken") or ""
        start = int(token.removeprefix("after-")) if token else 0
        chunk = self.models[start : start + size]
        end = start + len(chunk)
        next_token = "" if end >= len(self.models) else f"after-{end}"
        if self.loop:
            next_token = "after-0" if self.models else ""
        return {"models": chunk, "nextPageToken": next_token, "totalResults": len(self.models)}


def _handler(fake: FakeKaggle) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib name
            """Keep test output clean."""

        def _send(self, status: int, payload: bytes, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append(body)
            fake.headers_seen.append(self.headers.get("Authorization") or "")
            if self.path != PATH:
                self._send(404, b'{"error": "not found"}')
            elif fake.authorization and self.headers.get("Authorization") != fake.authorization:
                self._send(401, b'{"error": "unauthenticated"}')
            elif fake.fail_times > 0:
                fake.fail_times -= 1
                self._send(503, b'{"error": "busy"}', {"Retry-After": "0"})
            elif fake.body_override is not None:
                self._send(200, fake.body_override)
            else:
                self._send(200, json.dumps(fake.page(body)).encode())

    return Handler


@contextmanager
def running(fake: FakeKaggle) -> Iterator[FakeKaggle]:
    """Serve `fake` on 127.0.0.1; sets `fake.base_url` to the API URL (`.../v1`)."""
    with serve_handler(_handler(fake)) as base_url:
        fake.base_url = f"{base_url}/v1"
        yield fake
