"""In-memory fan-out of live events to subscribers, and where the live feed has read to.

Each subscriber has a bounded queue. Publishing never waits: a subscriber whose queue is full
is dropped (its connection is closed with ``SLOW_SUBSCRIBER_CLOSE_CODE``) so one slow client
never slows the others; it reconnects with the cursor of the last event it saw and the replay
(``events.replay``) gives it what it missed. ``positions`` holds, per partition, the offset
the live consumer publishes from next: a replay hands its subscriber over to the hub once it
has read up to there. The last ``replay_size`` events stay in memory with their cursors, so a
client that reconnects with a bare event id this gateway still holds resumes from there.
"""

from __future__ import annotations

import asyncio
import collections
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from libs.common.errors import DomainError, InvalidInputError
from libs.common.prometheus_metrics import Families
from services.gateway.events.cursor import FeedCursor, Partition

SLOW_SUBSCRIBER_CLOSE_CODE = 4008
SLOW_SUBSCRIBER_REASON = "subscriber too slow: events were dropped; reconnect with the last event id"


class LiveEvent(msgspec.Struct, frozen=True, gc=False):
    """An event as the hub fans it out. A msgspec Struct, not a frozen dataclass: a replay makes
    one per record read, and a frozen dataclass's ``__init__`` (a guarded ``__setattr__`` per
    field) cost several times the rest of taking the record. Untracked by the garbage collector:
    nothing it holds refers back to it."""

    event_id: str
    type: str
    stream_id: str
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    unit_id: str | None
    unit_code: str | None
    data: dict[str, Any]
    published_at: float = 0.0
    """monotonic time the gateway fanned it out (for the benchmark's delay figures)."""
    cursor: FeedCursor | None = None
    """Where the feed stands once this event is read: what a client passes as ``after``."""
    source: tuple[Partition, int] | None = None
    """The partition and offset of its record."""
    cursor_text: str | None = None
    """``cursor`` as it goes on the wire, encoded once for every subscriber it reaches (None for a
    replayed event: its one subscriber encodes it if it selects it)."""
    data_json: msgspec.Raw | None = None
    """``data`` as the record's JSON, passed on as it is to a subscriber who may see it whole
    (None: encode ``data``)."""


class SlowSubscriberError(DomainError):
    code = "slow_subscriber"


class ReplayUnavailableError(InvalidInputError):
    code = "replay_unavailable"


_DROPPED = object()


@dataclass(eq=False)
class Subscriber:
    matches: Callable[[LiveEvent], bool]
    queue: asyncio.Queue[object]
    types: frozenset[str] | None = None
    """The only event types ``matches`` can accept (None: any): the hub offers it no others."""
    missed: collections.deque[LiveEvent] = field(default_factory=collections.deque)
    dropped: bool = False

    async def next(self) -> LiveEvent:
        if self.missed:
            return self.missed.popleft()
        item = await self.queue.get()
        if item is _DROPPED:
            raise SlowSubscriberError(SLOW_SUBSCRIBER_REASON)
        assert isinstance(item, LiveEvent)
        return item

    def ready(self, limit: int) -> list[LiveEvent]:
        """Up to ``limit`` events already waiting, without waiting for more; a drop waiting
        among them stays for :meth:`next` to raise."""
        out: list[LiveEvent] = []
        while self.missed and len(out) < limit:
            out.append(self.missed.popleft())
        queue = self.queue
        while len(out) < limit and not queue.empty():
            item = queue.get_nowait()
            if item is _DROPPED:
                queue.put_nowait(_DROPPED)
                break
            assert isinstance(item, LiveEvent)
            out.append(item)
        return out

    def offer(self, event: LiveEvent) -> bool:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped = True
            # Make room for the one message that matters now: that it was dropped.
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_DROPPED)
            return False
        return True


class EventHub:
    def __init__(self, *, replay_size: int = 10_000, queue_size: int = 1_000) -> None:
        self.buffer: collections.deque[LiveEvent] = collections.deque(maxlen=replay_size)
        self.queue_size = queue_size
        self.subscribers: set[Subscriber] = set()
        self._any: set[Subscriber] = set()
        """Subscribers that may accept any type: their ``matches`` sees every event."""
        self._by_type: dict[str, set[Subscriber]] = {}
        """The others, under each type they accept: an event is offered to its type's only."""
        self.published = 0
        self.dropped = 0
        self.positions: dict[Partition, int] = {}
        """Per partition, the offset the live consumer publishes from next."""
        self.assigned = asyncio.Event()
        """Set once ``positions`` names every partition the consumer found."""

    def caught_up(self, offsets: dict[Partition, int]) -> bool:
        """Has a reader at ``offsets`` read everything the hub has published, and no further?"""
        return all(offsets.get(partition, 0) >= at for partition, at in self.positions.items())

    def replay_from_memory(self, offsets: dict[Partition, int]) -> list[LiveEvent] | None:
        """The published events at or past ``offsets``, oldest first, if the buffer still holds
        them all (``None`` when some were published before its oldest event)."""
        if not self.buffer:
            return [] if self.caught_up(offsets) else None
        oldest = self.buffer[0]
        if oldest.cursor is None or oldest.source is None:
            return None
        before = dict(oldest.cursor.offsets)
        before[oldest.source[0]] = oldest.source[1]
        if any(offsets.get(partition, 0) < at for partition, at in before.items()):
            return None
        return [e for e in self.buffer if e.source is not None and e.source[1] >= offsets.get(e.source[0], 0)]

    def cursor_of(self, event_id: str) -> FeedCursor:
        """The cursor of an event this gateway still holds in memory."""
        for event in reversed(self.buffer):
            if event.event_id == event_id and event.cursor is not None:
                return event.cursor
        raise ReplayUnavailableError(
            f"event {event_id} is not among the last {self.buffer.maxlen} events this gateway keeps; "
            "reconnect with the `cursor` of the last event seen, or subscribe without `after` and reload "
            "the state with a query",
            details={"replay_size": self.buffer.maxlen, "reason": "unknown_event"},
        )

    def publish(self, event: LiveEvent) -> None:
        self.buffer.append(event)
        self.published += 1
        # Only the subscribers that can accept the event's type are asked: with thousands of
        # subscriptions to a few types, a record of another type costs no per-subscriber call.
        typed = self._by_type.get(event.type)
        dropped = [
            subscriber
            for candidates in ((self._any, typed) if typed else (self._any,))
            for subscriber in candidates
            if not subscriber.dropped and subscriber.matches(event) and not subscriber.offer(event)
        ]
        for subscriber in dropped:
            self.dropped += 1
            self.unsubscribe(subscriber)

    def subscribe(
        self, matches: Callable[[LiveEvent], bool], after: str | None = None, *, types: frozenset[str] | None = None
    ) -> Subscriber:
        """Register a subscriber; with ``after``, the matching events since that one come first.
        ``types``, when given, are the only types ``matches`` accepts: it is asked about no other.

        Registration and the replay snapshot happen without an await between them, so nothing
        published in between is lost or delivered twice.
        """
        subscriber = Subscriber(matches=matches, queue=asyncio.Queue(self.queue_size), types=types)
        if after is not None:
            subscriber.missed.extend(e for e in self._since(after) if matches(e))
        self.subscribers.add(subscriber)
        if types is None:
            self._any.add(subscriber)
        for type_name in types or ():
            self._by_type.setdefault(type_name, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)
        self._any.discard(subscriber)
        for type_name in subscriber.types or ():
            typed = self._by_type.get(type_name)
            if typed is not None:
                typed.discard(subscriber)
                if not typed:
                    del self._by_type[type_name]

    def report_metrics(self, families: Families) -> None:
        """``tinhso_live_subscribers`` (``libs.common.prometheus_metrics``)."""
        families.gauge("tinhso_live_subscribers", "Live subscriptions this gateway process feeds.").add_metric(
            [], len(self.subscribers)
        )

    def _since(self, event_id: str) -> list[LiveEvent]:
        events = list(self.buffer)
        for index in range(len(events) - 1, -1, -1):
            if events[index].event_id == event_id:
                return events[index + 1 :]
        raise ReplayUnavailableError(
            f"event {event_id} is not among the last {self.buffer.maxlen} events this gateway keeps; "
            "subscribe without `after` and reload the state with a query",
            details={"replay_size": self.buffer.maxlen, "reason": "unknown_event"},
        )
