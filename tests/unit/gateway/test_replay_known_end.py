"""A resume whose cursor is past the end offsets the broker answers: refused as an unknown
position only when this process's live consumer has not read that far either."""

from __future__ import annotations

import datetime
from types import SimpleNamespace
from typing import Any, cast

import pytest
from aiokafka import TopicPartition

from services.gateway.events import replay as replay_module
from services.gateway.events.cursor import FeedCursor
from services.gateway.events.hub import ReplayUnavailableError
from services.gateway.events.replay import Resume

TP = TopicPartition("tinhso.registry.events", 0)
PARTITION = ("registry", 0)


class ShortBroker:
    """Answers an end offset short of records it has served, as the embedded broker has under
    load; records where the consumer is told to seek."""

    def __init__(self, end: int) -> None:
        self.end = end
        self.seeks: dict[TopicPartition, int] = {}

    async def beginning_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return dict.fromkeys(partitions, 0)

    async def end_offsets(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        return dict.fromkeys(partitions, self.end)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks[tp] = offset


def resume(cursor_offset: int, live_read_to: int) -> Resume:
    hub = SimpleNamespace(positions={PARTITION: live_read_to})
    cursor = FeedCursor(offsets={PARTITION: cursor_offset}, recorded_at=datetime.datetime.now(datetime.UTC))
    return Resume(cast(Any, SimpleNamespace(hub=hub)), cursor, lambda _: True)


async def test_a_cursor_the_live_consumer_has_read_past_resumes_whatever_the_broker_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Failed before the change: the cursor at 76 against an end of 1 was refused as
    ``unknown_position`` (CI, 4 workers), though the live consumer had read 80 records."""
    monkeypatch.setattr(replay_module, "END_OFFSETS_PATIENCE_SECONDS", 0.0)
    broker = ShortBroker(end=1)

    read = await resume(76, live_read_to=80)._seek_to_cursor(cast(Any, broker), {TP: PARTITION})

    assert read == {PARTITION: 76}
    assert broker.seeks[TP] < 76  # a few records before it seed the copy rule


async def test_a_cursor_past_what_anyone_has_read_is_an_unknown_position(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay_module, "END_OFFSETS_PATIENCE_SECONDS", 0.0)

    with pytest.raises(ReplayUnavailableError) as refused:
        await resume(76, live_read_to=10)._seek_to_cursor(cast(Any, ShortBroker(end=1)), {TP: PARTITION})

    assert refused.value.details == {"reason": "unknown_position"}
