"""A gateway on a real uvicorn server on loopback, with two partners' keys, for the admission
tests (raw sockets where a test is about how bytes arrive), and an internal service that stalls."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import msgspec

from libs.common.db import create_pool
from libs.common.migrations import apply_migrations
from libs.common.settings import Settings
from services.cli.catalogue import all_migrations
from services.gateway.app import create_app as gateway_app
from services.gateway.graphql.limits import Limits
from services.gateway.security.partner_store import PartnerStore
from tests.integration.gateway.security_support import partner
from tests.support.http_server import Server, listening_socket


class StalledService:
    """An internal service that holds every request until released: a caller's operations
    that reach it keep their execution slots for as long as the test wants."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.arrived = asyncio.Event()
        self.waiting = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.waiting += 1
        self.arrived.set()
        await self.release.wait()
        body = b'{"code": "not_ready", "message": "stalled"}'
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class Edge:
    def __init__(self, port: int, keys: dict[str, str], pool: asyncpg.Pool) -> None:
        self.port = port
        self.keys = keys
        self.pool = pool
        self.http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)

    def auth(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.keys[who]}"}

    async def raw(self, head: str, body: bytes = b"") -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        writer.write(head.encode() + body)
        await writer.drain()
        return reader, writer


@contextlib.asynccontextmanager
async def running_edge(settings: Settings, limits: Limits | None = None, **overrides: Any) -> AsyncIterator[Edge]:
    conn = await asyncpg.connect(settings.database_url)
    await apply_migrations(conn, all_migrations())
    await conn.close()
    gateway_socket = listening_socket()
    configured = msgspec.structs.replace(settings, **overrides)
    server = Server(gateway_app(configured, limits), gateway_socket)
    pool = await create_pool(settings.database_url, service="test", max_size=2)
    store = PartnerStore(pool)
    keys = {name: await store.create(partner(name, "read", "registry:write")) for name in ("vnpt", "viettel")}
    await server.start()
    edge = Edge(gateway_socket.getsockname()[1], keys, pool)
    try:
        yield edge
    finally:
        await edge.http.aclose()
        await server.stop()
        gateway_socket.close()
        await pool.close()
