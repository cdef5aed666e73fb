"""The administrative-unit aggregate's state: a unit as the command side sees it, and how its
events fold into it (``evolve``). Pure, no I/O; the commands and the rules that decide them are
``unit_commands``.

A unit's history is never overwritten: a rename, a new parent, a merge, a split or a
dissolution is an event with the date it takes effect.
"""

from __future__ import annotations

import datetime
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.registry_events import (
    UnitDissolved,
    UnitLevel,
    UnitMerged,
    UnitRegistered,
    UnitRenamed,
    UnitReparented,
    UnitSplit,
)

Status = Literal["absent", "active", "merged", "split", "dissolved"]


class Unit(msgspec.Struct, frozen=True, kw_only=True):
    """A unit as the command side sees it (also the snapshot other commands carry)."""

    unit_id: str = ""
    status: Status = "absent"
    code: str = ""
    name: str = ""
    level: UnitLevel = "province"
    parent_id: str | None = None
    valid_from: datetime.date = datetime.date.min
    valid_to: datetime.date | None = None
    successor_ids: tuple[str, ...] = ()
    last_on: datetime.date = datetime.date.min
    """The date of its latest fact: history is told in order, never rewritten backwards."""
    parents: tuple[tuple[datetime.date, str], ...] = ()
    """(from, parent id), oldest first: a village moved in 2025 still belonged to its old
    commune in 2022, and a 2022 fact about it is checked against that."""

    def parent_on(self, day: datetime.date) -> str | None:
        if not self.parents:  # a snapshot built without its history: only the current parent
            return self.parent_id
        current = None
        for since, parent_id in self.parents:
            if since <= day:
                current = parent_id
        return current

    @property
    def exists(self) -> bool:
        return self.status != "absent"

    def active_on(self, day: datetime.date) -> bool:
        return self.status != "absent" and self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


def stream_id(unit_id: str) -> str:
    return f"unit-{unit_id}"


def evolve(unit: Unit, event: Event) -> Unit:
    match event:
        case UnitRegistered():
            return Unit(
                unit_id=event.unit_id,
                status="active",
                code=event.code,
                name=event.name,
                level=event.level,
                parent_id=event.parent_id,
                valid_from=event.valid_from,
                last_on=event.valid_from,
                parents=((event.valid_from, event.parent_id),) if event.parent_id else (),
            )
        case UnitRenamed():
            return msgspec.structs.replace(unit, name=event.name, last_on=event.effective_on)
        case UnitReparented():
            return msgspec.structs.replace(
                unit,
                parent_id=event.parent_id,
                last_on=event.effective_on,
                parents=(*unit.parents, (event.effective_on, event.parent_id)),
            )
        case UnitMerged():
            return msgspec.structs.replace(
                unit, status="merged", valid_to=event.effective_on, successor_ids=(event.successor_id,)
            )
        case UnitSplit():
            return msgspec.structs.replace(
                unit, status="split", valid_to=event.effective_on, successor_ids=tuple(event.successor_ids)
            )
        case UnitDissolved():
            return msgspec.structs.replace(unit, status="dissolved", valid_to=event.effective_on)
    return unit
