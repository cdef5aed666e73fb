"""The services' uvicorn protocol over a real loopback socket: each simple answer is one send
where uvicorn's own protocol makes two, and keep-alive, streaming, ``Connection: close`` and
WebSocket upgrades behave as before (``libs/common/http/coalesced_writes.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any, cast

import pytest
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from websockets.asyncio.client import connect

from libs.common.http.coalesced_writes import CoalescedWritesProtocol
from tests.support.http_server import Server, listening_socket

BODY = b'{"stream_id":"s-1","version":3}'


class CountedSends:
    """The socket's transport, counting the sends asked of it; all else is the transport's."""

    def __init__(self, transport: asyncio.Transport, counts: list[int]) -> None:
        self._transport = transport
        self._counts = counts

    def write(self, data: bytes) -> None:
        self._counts.append(1)
        self._transport.write(data)

    def writelines(self, list_of_data: list[bytes]) -> None:
        self._counts.append(1)
        self._transport.writelines(list_of_data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


SENDS: list[int] = []
"""One entry per send on the server's sockets, for the test running now."""


class CountedUvicorn(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(cast(asyncio.Transport, CountedSends(cast(asyncio.Transport, transport), SENDS)))


class CountedCoalesced(CoalescedWritesProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(cast(asyncio.Transport, CountedSends(cast(asyncio.Transport, transport), SENDS)))


STREAM_GATES: list[asyncio.Event] = []
"""The streamed answer's second chunk waits for the last one: the test sets it once it has read
the first chunk."""


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "websocket":
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        while (message := await receive())["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": f"echo: {message['text']}"})
        return
    assert scope["type"] == "http"
    while (await receive()).get("more_body"):
        pass
    if scope["path"] == "/stream":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"first", "more_body": True})
        await STREAM_GATES[-1].wait()
        await send({"type": "http.response.body", "body": b"second", "more_body": False})
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    await send({"type": "http.response.body", "body": BODY})


@contextlib.asynccontextmanager
async def serving(protocol: type[asyncio.Protocol]) -> AsyncIterator[int]:
    sock = listening_socket()
    server = Server(app, sock, http=protocol, lifespan="off")
    try:
        await server.start()
        yield server.port
    finally:
        await server.stop()
        sock.close()


async def read_response(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    return head, await reader.readexactly(length)


def post(path: str, *, close: bool = False) -> bytes:
    connection = b"connection: close\r\n" if close else b""
    return b"POST " + path.encode() + b" HTTP/1.1\r\nhost: t\r\ncontent-length: 8\r\n" + connection + b'\r\n{"by":1}'


@pytest.mark.parametrize(
    ("protocol", "sends_per_answer"),
    [(CountedUvicorn, 2), (CountedCoalesced, 1)],
    ids=["uvicorn's own protocol", "coalesced writes"],
)
async def test_each_answer_on_a_keep_alive_connection_is_one_send(
    protocol: type[asyncio.Protocol], sends_per_answer: int
) -> None:
    async with serving(protocol) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        SENDS.clear()
        for n in range(5):
            writer.write(post(f"/streams/s-{n}/increment"))
            head, body = await read_response(reader)
            assert head.startswith(b"HTTP/1.1 201 Created\r\n")
            assert b"content-type: application/json" in head
            assert body == BODY
        assert len(SENDS) == 5 * sends_per_answer
        writer.close()
        await writer.wait_closed()


async def test_a_streamed_answer_leaves_chunk_by_chunk() -> None:
    """The first chunk reaches the client while the app still waits for it to be read."""
    gate = asyncio.Event()
    STREAM_GATES.append(gate)
    async with serving(CoalescedWritesProtocol) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /stream HTTP/1.1\r\nhost: t\r\n\r\n")
        async with asyncio.timeout(10):
            head = await reader.readuntil(b"\r\n\r\n")
            assert b"transfer-encoding: chunked" in head
            assert await reader.readuntil(b"first\r\n") == b"5\r\nfirst\r\n"
        gate.set()
        async with asyncio.timeout(10):
            assert await reader.readuntil(b"0\r\n\r\n") == b"6\r\nsecond\r\n0\r\n\r\n"
        writer.close()
        await writer.wait_closed()


async def test_connection_close_sends_the_whole_answer_then_closes() -> None:
    async with serving(CoalescedWritesProtocol) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post("/streams/s-1/increment", close=True))
        async with asyncio.timeout(10):
            head, body = await read_response(reader)
            assert b"connection: close" in head
            assert body == BODY
            assert await reader.read() == b""  # the server closed the connection
        writer.close()


async def test_a_websocket_upgrade_gets_the_sockets_own_transport_and_works() -> None:
    async with (
        serving(CoalescedWritesProtocol) as port,
        asyncio.timeout(10),
        connect(f"ws://127.0.0.1:{port}/live") as ws,
    ):
        for text in ("one", "two"):
            await ws.send(text)
            assert await ws.recv() == f"echo: {text}"


async def test_a_client_gone_before_its_answer_leaves_the_server_serving() -> None:
    async with serving(CoalescedWritesProtocol) as port:
        raw = socket.create_connection(("127.0.0.1", port))
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        raw.sendall(post("/streams/s-1/increment"))
        raw.close()  # a reset, possibly before the answer is written
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(post("/streams/s-2/increment"))
        async with asyncio.timeout(10):
            _, body = await read_response(reader)
        assert body == BODY
        writer.close()
        await writer.wait_closed()
