"""A minimal HTTP/1.1 keep-alive client on asyncio streams, for load generation.

httpx spends several hundred microseconds of CPU per request; on a 2-core machine that
CPU is taken from the server under test. This client writes one pre-formatted request and
reads one ``Content-Length`` response per call: enough for JSON APIs served by uvicorn.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Mapping
from typing import Protocol


class HttpError(RuntimeError):
    pass


class Signer(Protocol):
    """Gives the header line that signs one request (a principal token is bound to it)."""

    def header_line(self, method: str, path: str) -> str: ...


class KeepAliveConnection:
    def __init__(
        self, host: str, port: int, headers: Mapping[str, str] | None = None, *, principal: Signer | None = None
    ) -> None:
        self.host = host
        self.port = port
        self._extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self._principal = principal
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def connect(self) -> None:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        sock = self._writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
            self._writer = self._reader = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self._writer is None or self._reader is None:
            await self.connect()
        assert self._writer is not None
        assert self._reader is not None
        signed = self._principal.header_line(method, path) if self._principal is not None else ""
        signed += "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n{self._extra}{signed}\r\n"
        )
        self._writer.write(head.encode() + body)
        raw = await self._reader.readuntil(b"\r\n\r\n")
        lines = raw.split(b"\r\n")
        try:
            status = int(lines[0].split(b" ", 2)[1])
        except (IndexError, ValueError):
            raise HttpError(f"bad status line {lines[0]!r}") from None
        length = None
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
                break
        if length is None:
            raise HttpError("response without Content-Length")
        payload = await self._reader.readexactly(length) if length else b""
        return status, payload

    async def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        return await self.request("POST", path, body)

    async def get(self, path: str) -> tuple[int, bytes]:
        return await self.request("GET", path)
