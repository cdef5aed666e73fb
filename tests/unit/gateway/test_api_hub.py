"""The live fan-out: filtering, a slow subscriber dropped without slowing others, replay."""

from __future__ import annotations

import datetime

import pytest

from services.gateway.events.hub import EventHub, LiveEvent, ReplayUnavailableError, SlowSubscriberError

NOW = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


def event(n: int, kind: str = "broadcast.cluster_signal_lost", unit: str = "u1") -> LiveEvent:
    return LiveEvent(
        event_id=f"e{n}",
        type=kind,
        stream_id="s",
        occurred_at=NOW,
        recorded_at=NOW,
        unit_id=unit,
        unit_code=None,
        data={},
    )


async def test_each_subscriber_gets_only_the_events_it_matches() -> None:
    hub = EventHub()
    signals = hub.subscribe(lambda e: e.type.startswith("broadcast."))
    units = hub.subscribe(lambda e: e.unit_id == "u2")
    hub.publish(event(1))
    hub.publish(event(2, "metrics.indicator_value_changed", unit="u2"))
    assert (await signals.next()).event_id == "e1"
    assert (await units.next()).event_id == "e2"
    assert signals.queue.empty()
    assert units.queue.empty()


async def test_a_subscriber_naming_its_types_is_asked_only_about_events_of_those_types() -> None:
    hub = EventHub()
    asked: list[str] = []

    def lost(e: LiveEvent) -> bool:
        asked.append(e.event_id)
        return e.type == "broadcast.cluster_signal_lost"

    typed = hub.subscribe(lost, types=frozenset({"broadcast.cluster_signal_lost"}))
    every = hub.subscribe(lambda _: True)
    hub.publish(event(1, "registry.unit_registered"))
    hub.publish(event(2))
    assert asked == ["e2"]
    assert (await typed.next()).event_id == "e2"
    assert [(await every.next()).event_id for _ in range(2)] == ["e1", "e2"]
    hub.unsubscribe(typed)
    hub.publish(event(3))
    assert asked == ["e2"]
    assert typed.queue.empty()
    assert hub.subscribers == {every}


async def test_a_dropped_typed_subscriber_leaves_the_index_and_the_others_still_get_everything() -> None:
    hub = EventHub(queue_size=2)
    types = frozenset({"broadcast.cluster_signal_lost"})
    slow = hub.subscribe(lambda _: True, types=types)
    fast = hub.subscribe(lambda _: True, types=types)
    for n in range(4):
        hub.publish(event(n))
        assert (await fast.next()).event_id == f"e{n}"
    assert slow.dropped
    assert hub.subscribers == {fast}
    assert hub.dropped == 1


async def test_a_subscriber_whose_queue_is_full_is_dropped_and_the_others_still_get_everything() -> None:
    hub = EventHub(queue_size=3)
    slow = hub.subscribe(lambda _: True)
    fast = hub.subscribe(lambda _: True)
    for n in range(5):
        hub.publish(event(n))
        assert (await fast.next()).event_id == f"e{n}"
    assert slow.dropped
    assert slow not in hub.subscribers
    assert hub.dropped == 1
    with pytest.raises(SlowSubscriberError):
        await slow.next()


async def test_a_subscriber_after_an_event_id_first_gets_the_matching_events_it_missed() -> None:
    hub = EventHub(replay_size=10)
    for n in range(5):
        hub.publish(event(n, unit="u1" if n % 2 else "u2"))
    again = hub.subscribe(lambda e: e.unit_id == "u1", after="e1")
    hub.publish(event(5, unit="u1"))
    assert [(await again.next()).event_id for _ in range(2)] == ["e3", "e5"]


def test_an_id_no_longer_in_the_buffer_is_refused_rather_than_silently_skipped() -> None:
    hub = EventHub(replay_size=3)
    for n in range(5):
        hub.publish(event(n))
    with pytest.raises(ReplayUnavailableError):
        hub.subscribe(lambda _: True, after="e0")
