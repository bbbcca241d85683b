"""A small HTTP/1.1 client for the load generator: one keep-alive connection a client.

Why not httpx: the generator shares the machine with the server it measures, and httpx
took about 4 ms of CPU a request (a fifth of both cores at 95 requests/s), which the
server then did not get. This speaks only what the load test needs, at a tenth of that:
a request with a JSON body, answers with Content-Length or chunked bodies, keep-alive,
and a timeout that closes the connection (a client that hangs up mid-request).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import orjson

ReadError = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError)


class ProtocolError(Exception):
    """The server's answer is not HTTP/1.1 this client understands."""


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer: its status and its whole body."""

    status_code: int
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON."""
        return orjson.loads(self.body)


class HttpConnection:
    """One keep-alive connection to `base_url`, opened when first used and again after
    the server or a timeout closed it. One request at a time."""

    def __init__(self, base_url: str) -> None:
        """Prepare a connection to `base_url` (http://host:port)."""
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"an http://host:port address is needed, not {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post_json(self, path: str, body: Any, timeout: float | None = None) -> Reply:
        """POST `body` as JSON; on a timeout the connection is closed and TimeoutError
        raised.

        Raises:
            TimeoutError: no whole answer within `timeout` seconds.
            OSError, asyncio.IncompleteReadError, ProtocolError: the exchange failed.
        """
        payload = orjson.dumps(body)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        ).encode()
        try:
            async with asyncio.timeout(timeout):
                return await self._exchange(head + payload)
        except BaseException:
            self.close()  # a half-read answer leaves the connection unusable
            raise

    async def _exchange(self, request: bytes) -> Reply:
        reused = self._streams is not None
        reader, writer = await self._open()
        writer.write(request)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            if not (reused and not exc.partial):
                raise
            # The server closed the idle keep-alive connection: once more on a new one.
            self.close()
            reader, writer = await self._open()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
        status, headers = _parse_head(head)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = await _read_chunked(reader)
        else:
            body = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Reply(status, body)

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        return self._streams

    def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self._streams is not None:
            self._streams[1].close()
            self._streams = None


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
        raise ProtocolError(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return int(rest[:3]), headers


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0], 16)
        except ValueError:
            raise ProtocolError(f"bad chunk size line {size_line[:40]!r}") from None
        if size == 0:
            await reader.readuntil(b"\r\n")  # no trailers are sent by our server
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
