"""The socket `catalog serve` listens on: connections it accepts send without delay."""

from __future__ import annotations

import asyncio
import socket

import pytest

from catalog.serving import PortUnavailableError, bind


def test_accepted_connections_have_nagle_off() -> None:
    # asyncio disables Nagle's algorithm only on sockets whose protocol says TCP; with it
    # on, a response written in two parts waited for the client's delayed ACK (40 ms).
    listener = bind("127.0.0.1", 0)
    port = listener.getsockname()[1]

    async def check() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=listener)
        async with server:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            nodelay = await asyncio.wait_for(accepted, 10)
            writer.close()
        return nodelay

    assert asyncio.run(check()) != 0


def test_a_taken_port_is_one_clear_error() -> None:
    first = bind("127.0.0.1", 0)
    with pytest.raises(PortUnavailableError, match="already in use"):
        bind("127.0.0.1", first.getsockname()[1])
    first.close()
