"""The outermost layer of the API: a request id for every request, and answers for
what escapes the app (a busy server, a body too large, a bug) instead of a bare 500."""

from __future__ import annotations

import json
import logging
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.context import new_request_id
from api.execution import ServerBusyError, WorkerCrashedError

log = logging.getLogger("api.errors")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
MAX_BODY_BYTES = 1_000_000
RETRY_AFTER_SECONDS = 5


def request_id_of(scope: Scope) -> str:
    """The request's id: set by `GuardMiddleware`, else a new one."""
    state = scope.get("state") or {}
    found = state.get("request_id")
    return found if isinstance(found, str) else new_request_id()


async def read_body(receive: Receive) -> bytes:
    """The whole request body (`GuardMiddleware` bounds its size)."""
    parts = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


class BodyTooLargeError(Exception):
    """The request body is larger than `MAX_BODY_BYTES`."""


class GuardMiddleware:
    """Give each request an id (the client's `X-Request-Id` when well-formed), refuse
    bodies over `MAX_BODY_BYTES`, and answer whatever escapes the app with JSON."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = header if _REQUEST_ID.match(header) else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        started = False
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise BodyTooLargeError
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLargeError:
            if not started:
                await _json(send, 413, f"the request body exceeds {MAX_BODY_BYTES:,} bytes")
        except (ServerBusyError, WorkerCrashedError) as exc:
            log.warning("request %s: %s", request_id, exc)
            if not started:
                await _json(
                    send,
                    503,
                    f"{exc}; retry in a few seconds",
                    [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())],
                )
        except Exception:
            log.exception("request %s: internal error", request_id)
            if not started:
                await _json(
                    send,
                    500,
                    f"internal error (request id {request_id}); the server log has the details",
                )


async def _json(
    send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"errors": [{"message": message}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
