"""An aggregate as pure functions, and an event to append with its own time.

Kept apart from ``commands.py`` and ``store.py``, which hold the I/O: a service's ``domain/``
imports this module and nothing that reaches a database (the layer rules of ADR 0026).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import msgspec

from contracts.base import Event

__all__ = ["Decider", "NewEvent"]

C = TypeVar("C")
S = TypeVar("S")


class NewEvent(msgspec.Struct, frozen=True):
    event: Event
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Decider(Generic[C, S]):
    """An aggregate as pure functions: no I/O, so it is unit-tested without a database."""

    stream_type: str
    initial: Callable[[], S]
    evolve: Callable[[S, Event], S]
    decide: Callable[[C, S], Sequence[Event | NewEvent]]

    def fold(self, events: Sequence[Event]) -> S:
        state = self.initial()
        for event in events:
            state = self.evolve(state, event)
        return state
