"""The writes of one loop step reach the socket's transport as one send, in order, and none is
lost to a close (``libs/common/http/coalesced_writes.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

from libs.common.http.coalesced_writes import CoalescedWrites


class SocketTransport(asyncio.Transport):
    """Stands in for the socket's transport: records each send it is asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.sends: list[list[bytes]] = []
        self.closing = False
        self.closed_after: int | None = None
        self.aborted = False

    def write(self, data: Any) -> None:
        self.sends.append([bytes(data)])

    def writelines(self, list_of_data: Any) -> None:
        self.sends.append([bytes(d) for d in list_of_data])

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True
        self.closed_after = len(self.sends)

    def abort(self) -> None:
        self.closing = True
        self.aborted = True

    def get_write_buffer_size(self) -> int:
        return 0

    @property
    def sent(self) -> bytes:
        return b"".join(b"".join(send) for send in self.sends)


async def a_loop_step() -> None:
    await asyncio.sleep(0)
    await asyncio.sleep(0)


async def test_the_writes_of_one_step_leave_as_one_send_in_order() -> None:
    socket = SocketTransport()
    writes = CoalescedWrites(socket, asyncio.get_running_loop())
    writes.write(b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n")
    writes.write(b"{}")
    assert socket.sends == []
    await a_loop_step()
    assert socket.sends == [[b"HTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\n", b"{}"]]


async def test_writes_of_later_steps_are_sent_at_their_own_step() -> None:
    """A streamed response keeps flowing: nothing waits for the response to end."""
    socket = SocketTransport()
    writes = CoalescedWrites(socket, asyncio.get_running_loop())
    writes.write(b"head")
    writes.write(b"chunk 1")
    await a_loop_step()
    writes.write(b"chunk 2")
    await a_loop_step()
    writes.writelines([b"chunk 3", b"end"])
    await a_loop_step()
    assert socket.sends == [[b"head", b"chunk 1"], [b"chunk 2"], [b"chunk 3", b"end"]]


async def test_closing_sends_what_is_held_first() -> None:
    socket = SocketTransport()
    writes = CoalescedWrites(socket, asyncio.get_running_loop())
    writes.write(b"head")
    writes.write(b"body")
    writes.close()
    assert socket.sent == b"headbody"
    assert socket.closed_after == 1
    await a_loop_step()
    assert len(socket.sends) == 1, "the scheduled send found nothing left to send"


async def test_aborting_drops_what_is_held() -> None:
    socket = SocketTransport()
    writes = CoalescedWrites(socket, asyncio.get_running_loop())
    writes.write(b"head")
    writes.abort()
    await a_loop_step()
    assert socket.aborted
    assert socket.sends == []


async def test_what_is_held_for_a_peer_gone_meanwhile_is_dropped_quietly() -> None:
    socket = SocketTransport()
    writes = CoalescedWrites(socket, asyncio.get_running_loop())
    writes.write(b"head")
    socket.closing = True  # the connection was lost before the step ended
    await a_loop_step()
    assert socket.sends == []


async def test_a_write_to_a_closing_transport_is_the_transports_own_affair() -> None:
    socket = SocketTransport()
    writes = CoalescedWrites(socket, asyncio.get_running_loop())
    socket.closing = True
    writes.write(b"late")
    assert socket.sends == [[b"late"]]


async def test_held_bytes_count_in_the_write_buffer_and_are_copied() -> None:
    socket = SocketTransport()
    writes = CoalescedWrites(socket, asyncio.get_running_loop())
    data = bytearray(b"abc")
    writes.write(data)
    writes.write(b"")
    data[0:3] = b"xyz"  # a caller may reuse its buffer once write returns
    assert writes.get_write_buffer_size() == 3
    await a_loop_step()
    assert socket.sends == [[b"abc"]]
    assert writes.get_write_buffer_size() == 0
