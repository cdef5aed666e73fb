"""Real uvicorn servers on loopback sockets inside the test process, for tests that need a
socket: WebSocket clients, or a command-line tool that calls a service over HTTP."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable
from typing import Literal

import uvicorn
from litestar import Litestar


def listening_socket(port: int = 0) -> socket.socket:
    """Bound before any URL is handed out, so no other process can take the port meanwhile."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.close()
        raise
    sock.listen(1024)
    return sock


class Server:
    def __init__(
        self,
        app: Litestar | Callable[..., Awaitable[None]],
        sock: socket.socket,
        *,
        lifespan: Literal["on", "off"] = "on",
    ) -> None:
        # proxy_headers off, as libs.common.serve runs the services: the peer is the socket's.
        config = uvicorn.Config(app, log_config=None, lifespan=lifespan, ws="websockets-sansio", proxy_headers=False)
        self.server = uvicorn.Server(config)
        self.sock = sock
        self.port: int = sock.getsockname()[1]
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve(sockets=[self.sock]))
        async with asyncio.timeout(30):
            while not self.server.started:
                if self.task.done():
                    self.task.result()
                await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.task, 15)
