"""The live feed's resume cursor: it survives the wire, a malformed one is the caller's error,
and the hub answers from memory only when its buffer holds every event since the cursor."""

from __future__ import annotations

import datetime

import pytest

from services.gateway.events.cursor import FeedCursor, InvalidCursorError, Partition, decode_cursor, is_cursor
from services.gateway.events.hub import EventHub, LiveEvent

NOW = datetime.datetime(2026, 12, 7, 6, 0, 0, 123000, tzinfo=datetime.UTC)


def test_a_cursor_comes_back_from_its_text_as_it_was() -> None:
    cursor = FeedCursor(
        offsets={("registry", 0): 12, ("registry", 2): 7, ("broadcast", 1): 3_000_000_000, ("metrics", 0): 0},
        recorded_at=NOW,
    )
    text = cursor.encode()
    assert is_cursor(text)
    assert len(text) < 100
    back = decode_cursor(text)
    assert back.recorded_at == NOW
    # A partition the cursor did not name below one it did starts at its beginning.
    assert back.offsets == {**cursor.offsets, ("registry", 1): 0, ("broadcast", 0): 0}


@pytest.mark.parametrize(
    "text",
    [
        "0193a1b2-0000-7000-8000-000000000000",  # an event id, not a cursor
        "c1.",
        "c1.!!!!",
        "c1.kQ",  # a msgpack array of the wrong shape
        "c1." + "A" * 5000,
        FeedCursor(offsets={("registry", 0): -1}, recorded_at=NOW).encode(),
    ],
)
def test_a_malformed_cursor_is_refused_with_its_own_code(text: str) -> None:
    with pytest.raises(InvalidCursorError) as refused:
        decode_cursor(text)
    assert refused.value.code == "invalid_cursor"


def published(hub: EventHub, partition: Partition, offset: int) -> LiveEvent:
    """The hub as the consumer leaves it after reading the record at ``offset``."""
    hub.positions[partition] = offset + 1
    event = LiveEvent(
        event_id=f"{partition[0]}-{partition[1]}-{offset}",
        type="broadcast.cluster_signal_lost",
        stream_id="s",
        occurred_at=NOW,
        recorded_at=NOW,
        unit_id=None,
        unit_code=None,
        data={},
        cursor=FeedCursor(offsets=dict(hub.positions), recorded_at=NOW),
        source=(partition, offset),
    )
    hub.publish(event)
    return event


A: Partition = ("broadcast", 0)
B: Partition = ("registry", 0)


def test_the_hub_replays_from_memory_only_what_its_buffer_covers() -> None:
    hub = EventHub(replay_size=3)
    hub.positions.update({A: 10, B: 20})
    events = [published(hub, A, 10), published(hub, B, 20), published(hub, A, 11), published(hub, B, 21)]
    # The buffer holds the last three: from after events[0] on.
    after_first = events[0].cursor
    assert after_first is not None
    assert hub.replay_from_memory(dict(after_first.offsets)) == events[1:]
    assert hub.replay_from_memory({A: 10, B: 20}) is None  # events[0] has left the buffer
    last = events[-1].cursor
    assert last is not None
    assert hub.replay_from_memory(dict(last.offsets)) == []
    assert hub.caught_up(dict(last.offsets))
    assert not hub.caught_up(dict(after_first.offsets))


def test_a_bare_event_id_resolves_to_its_cursor_while_the_hub_holds_it() -> None:
    hub = EventHub(replay_size=2)
    first, second, third = (published(hub, A, n) for n in range(3))
    assert hub.cursor_of(third.event_id) == third.cursor
    assert hub.cursor_of(second.event_id) == second.cursor
    with pytest.raises(Exception, match="not among the last 2 events") as gone:
        hub.cursor_of(first.event_id)
    assert getattr(gone.value, "code", None) == "replay_unavailable"
