"""``Subscriber.ready``: what a batch takes off a subscriber's queue without waiting."""

from __future__ import annotations

import datetime

import pytest

from services.gateway.events.hub import EventHub, LiveEvent, SlowSubscriberError

NOW = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=datetime.UTC)


def _event(n: int) -> LiveEvent:
    return LiveEvent(f"e{n}", "broadcast.cluster_signal_lost", f"s{n}", NOW, NOW, None, None, {})


async def test_ready_takes_at_most_the_limit_in_order_and_leaves_the_rest() -> None:
    hub = EventHub(queue_size=10)
    subscriber = hub.subscribe(lambda _: True)
    for n in range(5):
        hub.publish(_event(n))
    assert [e.event_id for e in subscriber.ready(3)] == ["e0", "e1", "e2"]
    assert [e.event_id for e in subscriber.ready(3)] == ["e3", "e4"]
    assert subscriber.ready(3) == []


async def test_a_drop_stays_for_next_to_raise_after_the_events_before_it() -> None:
    hub = EventHub(queue_size=2)
    subscriber = hub.subscribe(lambda _: True)
    for n in range(3):  # the third overflows the queue: the subscriber is dropped
        hub.publish(_event(n))
    assert subscriber.ready(5) == []
    with pytest.raises(SlowSubscriberError):
        await subscriber.next()
