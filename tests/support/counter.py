"""A tiny aggregate for backbone tests: a counter that refuses to go past a limit."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from contracts.base import Event
from contracts.catalogue import EventCatalogue
from libs.common.errors import InvalidInputError
from libs.common.eventstore.decider import Decider


class CounterIncremented(Event, frozen=True, tag="test.counter_incremented"):
    by: int
    note: str = ""


class Increment(msgspec.Struct, frozen=True):
    by: int
    limit: int = 1_000_000


def _evolve(total: int, event: Event) -> int:
    return total + event.by if isinstance(event, CounterIncremented) else total


def _decide(command: Increment, total: int) -> Sequence[Event]:
    if total + command.by > command.limit:
        raise InvalidInputError(f"would pass the limit of {command.limit}")
    return [CounterIncremented(by=command.by)]


COUNTER: Decider[Increment, int] = Decider(stream_type="counter", initial=lambda: 0, evolve=_evolve, decide=_decide)
CATALOGUE = EventCatalogue("test", [CounterIncremented])
