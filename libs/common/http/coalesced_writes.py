"""uvicorn's HTTP protocol, with a response's head and body sent to the socket in one write.

uvicorn (httptools) writes a response's status line and headers when the app sends
``http.response.start``, and the body when it sends ``http.response.body``, and uvloop sends
each write at once. A JSON answer thus leaves as two TCP segments: two send calls, and two
wake-ups of the client. On loopback a send does the receiver's TCP work too, so under load
the second one cost the API process a tenth to a sixth of its HTTP handling (ADR 0017).

Here the writes made in one step of the event loop are held and sent together, in one send,
at the next step. A simple response, whose start and body are sent in the same step, is one send;
a streamed one still leaves chunk by chunk, each as soon as the step that wrote it ends.
Closing sends what is held first, so nothing written is lost or reordered. A WebSocket
upgrade hands the socket's own transport to the WebSocket protocol.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class CoalescedWrites(asyncio.Transport):
    """A transport that holds the writes of one loop step and sends them as one; everything
    else is the socket transport's own."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self.transport = transport
        self._loop = loop
        self._held: list[bytes] = []
        self._held_size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._held:
            if self.transport.is_closing():
                self.transport.write(data)  # what the transport does then is its own affair
                return
            self._loop.call_soon(self.flush)
        self._held.append(bytes(data))
        self._held_size += len(data)

    def writelines(self, lines: Iterable[bytes | bytearray | memoryview]) -> None:
        for data in lines:
            self.write(data)

    def flush(self) -> None:
        if not self._held:
            return
        held = self._held
        self._held = []
        self._held_size = 0
        if self.transport.is_closing():  # the peer went away: the data has nowhere to go
            return
        if len(held) == 1:
            self.transport.write(held[0])
        else:  # one send of several buffers (uvloop: writev), without copying them into one
            self.transport.writelines(held)

    def get_write_buffer_size(self) -> int:
        return self.transport.get_write_buffer_size() + self._held_size

    def write_eof(self) -> None:
        self.flush()
        self.transport.write_eof()

    def close(self) -> None:
        self.flush()
        self.transport.close()

    def abort(self) -> None:
        self._held.clear()
        self._held_size = 0
        self.transport.abort()

    def can_write_eof(self) -> bool:
        return self.transport.can_write_eof()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self.transport.set_write_buffer_limits(high, low)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self.transport.get_write_buffer_limits()

    def is_closing(self) -> bool:
        return self.transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.transport.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self.transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self.transport.get_protocol()

    def is_reading(self) -> bool:
        return self.transport.is_reading()

    def pause_reading(self) -> None:
        self.transport.pause_reading()

    def resume_reading(self) -> None:
        self.transport.resume_reading()


class CoalescedWritesProtocol(HttpToolsProtocol):
    """Pass as ``uvicorn.Config(http=...)``."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not derive from asyncio's, so no isinstance check here.
        super().connection_made(CoalescedWrites(cast(asyncio.Transport, transport), self.loop))

    def handle_websocket_upgrade(self) -> None:
        held = self.transport
        if isinstance(held, CoalescedWrites):
            held.flush()
            self.transport = held.transport
        super().handle_websocket_upgrade()
