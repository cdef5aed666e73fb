"""In-memory fan-out of live events to subscribers, with a bounded replay buffer.

Each subscriber has a bounded queue. Publishing never waits: a subscriber whose queue is full
is dropped (its connection is closed with ``SLOW_SUBSCRIBER_CLOSE_CODE``) so one slow client
never slows the others. The last ``replay_size`` events stay in memory, so a client that
reconnects with the id of the last event it saw gets what it missed, if it is still there.
"""

from __future__ import annotations

import asyncio
import collections
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from libs.common.errors import DomainError, InvalidInputError
from libs.common.prometheus_metrics import Families

SLOW_SUBSCRIBER_CLOSE_CODE = 4008
SLOW_SUBSCRIBER_REASON = "subscriber too slow: events were dropped; reconnect with the last event id"


@dataclass(frozen=True, slots=True)
class LiveEvent:
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


class SlowSubscriberError(DomainError):
    code = "slow_subscriber"


class ReplayUnavailableError(InvalidInputError):
    code = "replay_unavailable"


_DROPPED = object()


@dataclass(eq=False)
class Subscriber:
    matches: Callable[[LiveEvent], bool]
    queue: asyncio.Queue[object]
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
        self.published = 0
        self.dropped = 0

    def publish(self, event: LiveEvent) -> None:
        self.buffer.append(event)
        self.published += 1
        for subscriber in list(self.subscribers):
            if subscriber.dropped or not subscriber.matches(event):
                continue
            if not subscriber.offer(event):
                self.dropped += 1
                self.subscribers.discard(subscriber)

    def subscribe(self, matches: Callable[[LiveEvent], bool], after: str | None = None) -> Subscriber:
        """Register a subscriber; with ``after``, the matching events since that one come first.

        Registration and the replay snapshot happen without an await between them, so nothing
        published in between is lost or delivered twice.
        """
        subscriber = Subscriber(matches=matches, queue=asyncio.Queue(self.queue_size))
        if after is not None:
            subscriber.missed.extend(e for e in self._since(after) if matches(e))
        self.subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self.subscribers.discard(subscriber)

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
            details={"replay_size": self.buffer.maxlen},
        )
