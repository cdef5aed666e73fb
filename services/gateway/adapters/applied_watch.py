"""Wakes a mutation when a read model has applied the command it sent (ADR 0047).

Every projection runner announces its moved checkpoints when a batch commits
(``libs.common.projections.notices``); this process listens on one connection of its own and
remembers, per (projection, topic, partition), the last checkpoint heard. A mutation that
returns its own write waits on a ``Ticket`` for the position its command's answer carries: the
ticket wakes once a read model of the service that took the command (whose queries the
mutation reads) reports a checkpoint at or past that position on the stream's partition, so the
read that follows finds the write. A mutation that names the read model its read is served from
(``reads``) is woken by that one only: the service's other projections pass the same position at
about the same moment, and each would wake it for a read that cannot find the write yet. Each
projection waited on wakes a ticket once; a read that still misses after all of them did (the
command's other streams lie in other partitions) reads again at each later commit of theirs,
until the caller's deadline.

Every gateway replica listens to the same database, so a replica hears every commit whichever
replica sent the command. A notice lost with a dropped connection costs a bounded wait, never a
hang: the caller waits until its deadline and then reads once (``read_back``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

import asyncpg

from libs.common.db import connect
from libs.common.projections import notices
from libs.common.projections.notices import partition_of

log = logging.getLogger(__name__)

Position = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Written:
    """One command's write: the service that took it, and where its stream's last event stands
    in that service's topic."""

    service: str
    topic: str
    stream_id: str
    position: Position | None
    """None: nothing appended (a command that changed nothing), or a remembered answer without it."""


@dataclass(eq=False)
class Ticket:
    """A wait for one write; ``woken`` answers when a read is worth doing."""

    written: Written
    reads: frozenset[str] | None = None
    """The read models the mutation's read is served from; None: any of the service's."""
    woke: asyncio.Event = field(default_factory=asyncio.Event)
    tried: set[str] = field(default_factory=set)
    """The service's projections that reported the write and woke this ticket."""
    open: bool = False
    """Every projection of the service woke it and a read still missed: from now on, any of
    their commits wakes it."""
    partition: int | None = None
    """The stream's partition, once the topic's size is known (placing a key is pure Python)."""

    async def woken(self, deadline: float) -> bool:
        """True when woken; False when ``deadline`` (the loop's clock) passed first."""
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining > 0 and not self.woke.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self.woke.wait()
        woke = self.woke.is_set()
        self.woke.clear()
        return woke


class AppliedWatch:
    def __init__(self, database_url: str, *, retry_seconds: float = 1.0) -> None:
        self._url = database_url
        self._retry_seconds = retry_seconds
        self._checkpoints: dict[tuple[str, str, int], Position] = {}
        self._partitions: dict[str, int] = {}
        self._projections: dict[str, set[str]] = {}
        """Per service, its projections heard so far."""
        self._tickets: dict[str, set[Ticket]] = {}
        self.listening = asyncio.Event()
        """Set while the listening connection is up."""

    async def run(self) -> None:
        """Forever: listen, and after a lost connection listen again."""
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("read-model notices unavailable (%s); listening again in %.0f s", exc, self._retry_seconds)
            self.listening.clear()
            self._wake_all()  # a notice may have been lost: every waiter reads once more
            await asyncio.sleep(self._retry_seconds)

    async def _listen(self) -> None:
        conn = await connect(self._url, service="gateway-notices")
        lost = asyncio.Event()
        try:
            conn.add_termination_listener(lambda _: lost.set())
            await conn.add_listener(notices.CHANNEL, self._heard)
            self.listening.set()
            await lost.wait()
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    def _heard(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        try:
            notice = notices.decode(str(payload))
        except ValueError:  # msgspec.DecodeError: not the runners' shape; nothing to wake
            log.warning("ignored a read-model notice that does not decode: %.200s", payload)
            return
        self.heard(notice)

    def heard(self, notice: notices.CheckpointsMoved) -> None:
        """A batch committed: remember its checkpoints and wake the tickets they cover."""
        self._projections.setdefault(notice.service, set()).add(notice.projection)
        for topic in notice.topics:
            if topic.partitions:
                self._partitions[topic.topic] = topic.partitions
            for moved in topic.moved:
                key = (notice.projection, topic.topic, moved.partition)
                position = (moved.tx_id, moved.position)
                if position > self._checkpoints.get(key, (0, 0)):
                    self._checkpoints[key] = position
            for ticket in self._tickets.get(topic.topic, ()):
                if ticket.written.service == notice.service:
                    self._check(ticket, notice.projection)

    def expect(self, written: Written, reads: frozenset[str] | None = None) -> Ticket:
        """A ticket for ``written``, woken at once if a projection has applied it already;
        ``reads``: only these projections wake it (the read models its read is served from)."""
        ticket = Ticket(written, reads)
        self._tickets.setdefault(written.topic, set()).add(ticket)
        if written.position is None:
            ticket.woke.set()  # nothing to wait for: read now
        else:
            for projection in self._projections.get(written.service, ()):
                self._check(ticket, projection)
        return ticket

    def missed(self, ticket: Ticket) -> None:
        """A read after a wake did not find the write."""
        waited_on = ticket.reads if ticket.reads is not None else self._projections.get(ticket.written.service, set())
        if ticket.tried >= waited_on:
            ticket.open = True

    def forget(self, ticket: Ticket) -> None:
        waiting = self._tickets.get(ticket.written.topic)
        if waiting is not None:
            waiting.discard(ticket)
            if not waiting:
                del self._tickets[ticket.written.topic]

    def _check(self, ticket: Ticket, projection: str) -> None:
        written = ticket.written
        if ticket.reads is not None and projection not in ticket.reads and written.position is not None:
            return
        if written.position is None or ticket.open:
            ticket.woke.set()  # nothing to compare, or compared already: any commit is worth a read
            return
        if projection in ticket.tried:
            return
        partitions = self._partitions.get(written.topic)
        if partitions is None:
            # The topic's size is not known yet: a checkpoint past the position on any partition
            # is a hint, not a proof, so it wakes the ticket without counting as tried.
            if any(
                at >= written.position
                for (p, t, _), at in self._checkpoints.items()
                if p == projection and t == written.topic
            ):
                ticket.woke.set()
            return
        if ticket.partition is None:
            ticket.partition = partition_of(written.stream_id, partitions)
        at = self._checkpoints.get((projection, written.topic, ticket.partition))
        if at is not None and at >= written.position:
            ticket.tried.add(projection)
            ticket.woke.set()

    def _wake_all(self) -> None:
        for tickets in self._tickets.values():
            for ticket in tickets:
                ticket.woke.set()
