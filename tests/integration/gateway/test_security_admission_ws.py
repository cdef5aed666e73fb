"""Admission gaps the review of issue #16 found, on a real uvicorn server on loopback: queries
and mutations sent over a WebSocket take their caller's execution slots, /graphql has its own
small body limit, and WebSockets that never send connection_init are counted per client host."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from libs.common.settings import Settings
from services.gateway.graphql.limits import Limits
from tests.integration.gateway.admission_support import Edge, StalledService, running_edge


def units_query(first: int) -> str:
    """A units query of its own: identical queries missing the response cache together run once
    (ADR 0048), and these tests count the queries that take a slot."""
    return f"{{ units(first: {first}) {{ totalCount }} }}"


PLATFORM_QUERY = "{ platform { version } }"


async def _open(edge: Edge) -> ClientConnection:
    return await connect(f"ws://127.0.0.1:{edge.port}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")])


async def _init(ws: ClientConnection, edge: Edge, who: str) -> dict[str, Any]:
    """connection_init with ``who``'s key; the server's answer (``closed``: its close code)."""
    await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {edge.keys[who]}"}}))
    try:
        answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), 5))
    except ConnectionClosed as closed:
        return {"closed": closed.rcvd.code if closed.rcvd is not None else None}
    return answer


async def _socket(edge: Edge, who: str) -> ClientConnection:
    ws = await _open(edge)
    assert (await _init(ws, edge, who))["type"] == "connection_ack"
    return ws


async def _run(ws: ClientConnection, operation_id: str, query: str) -> None:
    await ws.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": {"query": query}}))


async def _answer(ws: ClientConnection, within: float) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), within))
    return answer


# --- queries and mutations over a WebSocket take execution slots -------------------------------


async def test_websocket_operations_take_the_callers_execution_slots(
    settings: Settings, stalled: tuple[StalledService, str]
) -> None:
    """VNPT sends twelve slow queries over three WebSockets with a cap of two: two reach the
    (stalled) registry, the rest wait for VNPT's own slots, and Viettel's query over its own
    socket is answered at once. Failed before the fix: the WebSocket handler ran operations
    without a slot, so all twelve ran at once (the registry saw twelve)."""
    service, url = stalled
    async with running_edge(
        settings,
        Limits(max_concurrent_operations=4),
        registry_url=url,
        rate_limit_per_minute=0,
        gateway_max_concurrent_per_partner=2,
    ) as edge:
        sockets = [await _socket(edge, "vnpt") for _ in range(3)]
        viettel = await _socket(edge, "viettel")
        try:
            for n, ws in enumerate(sockets):
                for op in range(4):
                    await _run(ws, f"{n}-{op}", units_query(1 + 4 * n + op))
            async with asyncio.timeout(10):
                while service.waiting < 2:
                    service.arrived.clear()
                    await service.arrived.wait()
            await asyncio.sleep(0.5)
            assert service.waiting == 2  # VNPT's other ten wait for its own slots
            # The stalled service holds VNPT's operations until released, so an answer at all
            # proves Viettel's did not queue behind them.
            await _run(viettel, "v", PLATFORM_QUERY)
            answer = await _answer(viettel, 15)
            assert answer["type"] == "next", answer
            assert answer["payload"]["data"]["platform"]["version"]
            service.release.set()
            for ws in sockets:  # every operation ends once the registry answers
                ends = [await _answer(ws, 10) for _ in range(8)]  # next + complete per operation
                assert sorted(a["type"] for a in ends) == ["complete"] * 4 + ["next"] * 4
        finally:
            for ws in (*sockets, viettel):
                await ws.close()


# --- /graphql's own body limit ------------------------------------------------------------------


async def test_a_large_graphql_body_is_refused_413_before_it_is_read(settings: Settings) -> None:
    """A 1 MiB body announced to /graphql is answered 413 (code ``request_too_large``) while
    most of it is unsent, and so is one sent in chunks with no length; /api/v1/import still
    takes 8 MiB. Failed before the fix: /graphql read up to 8 MiB (the import's limit), so the
    server waited for the rest of the body."""
    async with running_edge(settings, gateway_body_timeout_seconds=30) as edge:
        head = "\r\n".join(
            [
                "POST /graphql HTTP/1.1",
                "host: 127.0.0.1",
                "content-type: application/json",
                "content-length: 1048576",
                f"authorization: Bearer {edge.keys['vnpt']}",
            ]
        )
        reader, writer = await edge.raw(head + "\r\n\r\n", b'{"query": "{ platform { version } }", "variables": {"')
        try:
            status = await asyncio.wait_for(reader.readline(), 3)
            assert status.decode().strip() == "HTTP/1.1 413 Request Entity Too Large"
            rest = await asyncio.wait_for(reader.read(4096), 2)
            assert b'"request_too_large"' in rest
        finally:
            writer.close()

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"query": "{ platform { version } }", "variables": {"pad": "'
            for _ in range(64):
                yield b"x" * 16384
            yield b'"}}'

        json_type = {"content-type": "application/json", **edge.auth("vnpt")}
        chunked = await edge.http.post("/graphql", content=chunks(), headers=json_type)
        assert chunked.status_code == 413, chunked.text
        assert chunked.json()["code"] == "request_too_large"
        padded = {"query": PLATFORM_QUERY, "variables": {"pad": "x" * 100_000}}  # variables have room
        assert (await edge.http.post("/graphql", json=padded, headers=edge.auth("vnpt"))).status_code == 200
        upload = await edge.http.post(
            "/api/v1/import", content=b"[" + b" " * 2_000_000 + b"]", headers=edge.auth("vnpt")
        )
        assert upload.status_code != 413, upload.text


# --- WebSockets that never authenticate --------------------------------------------------------


async def _refused(edge: Edge) -> int | None:
    """Opens a socket expecting it to be refused: the close code (None: refused at the handshake)."""
    try:
        ws = await _open(edge)
    except InvalidStatus:
        return None
    try:
        await asyncio.wait_for(ws.recv(), 3)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else None
    finally:
        await ws.close()
    raise AssertionError("the socket was accepted")


async def test_websockets_waiting_for_connection_init_are_capped_per_host(settings: Settings) -> None:
    """Three sockets from one host that never send connection_init fill its cap of three: a
    fourth is closed at once (4429); once one of them authenticates, or closes, its place is
    free again. Failed before the fix: sockets were counted only at connection_init, so any
    client could hold any number open."""
    async with running_edge(settings, rate_limit_per_minute=0, gateway_max_pending_websockets_per_host=3) as edge:
        pending = [await _open(edge) for _ in range(3)]
        held: list[ClientConnection] = list(pending)
        try:
            assert await _refused(edge) == 4429
            assert (await _init(pending[0], edge, "vnpt"))["type"] == "connection_ack"
            held.append(await _open(edge))  # the authenticated socket no longer counts
            assert await _refused(edge) == 4429
            await pending[1].close()
            await asyncio.sleep(0.3)
            later = await _open(edge)  # nor does a closed one
            held.append(later)
            assert (await _init(later, edge, "viettel"))["type"] == "connection_ack"
        finally:
            for ws in held:
                await ws.close()
