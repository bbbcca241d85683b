"""Serve an ASGI app on uvicorn: bind first (so a taken port is one clear line and
nothing claims to serve before it does), then run with a bounded graceful shutdown."""

from __future__ import annotations

import contextlib
import errno
import socket
from collections.abc import Callable
from typing import Any

from catalog.errors import CatalogError

GRACEFUL_SHUTDOWN_SECONDS = 10


class PortUnavailableError(CatalogError):
    """The address to serve on cannot be bound."""

    exit_code = 2


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port.

    Raises:
        PortUnavailableError: the port is taken or the address is not ours.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio turns Nagle's algorithm off only on accepted sockets
    # whose protocol says TCP. Left on, a response written as headers then body waited
    # for the client's delayed ACK: 40 ms on every request of a kept-alive connection.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortUnavailableError(
                f"port {port} on {host} is already in use (another `catalog serve`?); "
                "stop it or choose another with --port"
            ) from None
        raise PortUnavailableError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(
    app: Any,
    sock: socket.socket,
    *,
    factory: bool = False,
    log_level: str = "info",
    uvicorn_logging: bool = True,
    announce: Callable[[], None] | None = None,
) -> None:
    """Run `app` (or an app factory's import string) on the bound socket until SIGINT or
    SIGTERM; in-flight requests get `GRACEFUL_SHUTDOWN_SECONDS` to finish.

    `uvicorn_logging=False` keeps the logging the caller configured.
    """
    import uvicorn

    kwargs: dict[str, Any] = {} if uvicorn_logging else {"log_config": None}
    config = uvicorn.Config(
        app,
        factory=factory,
        log_level=log_level,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        **kwargs,
    )
    server = uvicorn.Server(config)
    if announce is not None:
        announce()
    # uvicorn re-raises the SIGINT it already handled: Ctrl-C is a clean stop.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
