"""The load generator's HTTP client against a local server that answers the ways HTTP/1.1
servers do: Content-Length, chunked bodies, closing idle keep-alive connections, and
taking too long."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from benchmarks.http_client import HttpConnection

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    return await reader.readexactly(length)


async def _serve(handler: Handler, exchange: Callable[[str], Awaitable[None]]) -> None:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        await exchange(f"http://127.0.0.1:{port}")


def test_chunked_answers_on_one_kept_alive_connection() -> None:
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            try:
                body = await _read_request(reader)
            except asyncio.IncompleteReadError:
                break
            echoed = b'{"echo": ' + body + b"}"
            half = len(echoed) // 2
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            for part in (echoed[:half], echoed[half:]):
                writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            writer.write(b"0\r\n\r\n")
        writer.close()

    async def exchange(url: str) -> None:
        http = HttpConnection(url)
        for i in range(3):
            reply = await http.post_json("/graphql", {"i": i})
            assert (reply.status_code, reply.json()) == (200, {"echo": {"i": i}})
        http.close()

    asyncio.run(_serve(handler, exchange))
    assert connections == 1


def test_a_connection_the_server_closed_while_idle_is_opened_again() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        writer.close()  # no keep-alive, and no Connection: close either

    async def exchange(url: str) -> None:
        http = HttpConnection(url)
        assert (await http.post_json("/", {})).status_code == 404
        await asyncio.sleep(0.05)
        assert (await http.post_json("/", {})).status_code == 404
        http.close()

    asyncio.run(_serve(handler, exchange))


def test_a_timeout_closes_the_connection_mid_request() -> None:
    closed = asyncio.Event()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        assert await reader.read() == b""  # the client hung up before any answer
        closed.set()

    async def exchange(url: str) -> None:
        http = HttpConnection(url)
        with pytest.raises(TimeoutError):
            await http.post_json("/", {"slow": True}, timeout=0.05)
        await asyncio.wait_for(closed.wait(), 5)

    asyncio.run(_serve(handler, exchange))
