"""The commands on an administrative unit and the rules that decide them (``decide``), with the
unit's decider (``UNIT``). Pure, no I/O.

Commands that involve other units (a parent, the units of a merge) carry snapshots of them,
loaded by the application layer, so every rule is checked here and unit-tested without a
database.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
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
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from libs.common.text import clean_name
from services.registry.domain.names import clean_code
from services.registry.domain.units import Unit, evolve

LEVELS: tuple[UnitLevel, ...] = ("province", "district", "commune", "village")
PARENT_LEVELS: dict[UnitLevel, tuple[UnitLevel, ...]] = {
    "province": (),
    "district": ("province",),
    # Since 2025-07-01 Vietnam has no district level: communes sit directly under a province.
    "commune": ("district", "province"),
    "village": ("commune",),
}
TWO_TIER_FROM = datetime.date(2025, 7, 1)
"""Resolution 202/2025/QH15: local government in two tiers (province, commune) from this day."""


class RegisterUnit(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    code: str
    name: str
    level: UnitLevel
    valid_from: datetime.date
    parent: Unit | None = None
    unit_type: str | None = None
    predecessor_ids: tuple[str, ...] = ()


class RenameUnit(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    effective_on: datetime.date


class ReparentUnit(msgspec.Struct, frozen=True, kw_only=True):
    parent: Unit
    effective_on: datetime.date


class EndUnit(msgspec.Struct, frozen=True, kw_only=True):
    """The unit stops existing: merged into one successor, split into several, or dissolved."""

    how: Literal["merged", "split", "dissolved"]
    effective_on: datetime.date
    successor_ids: tuple[str, ...] = ()
    reason: str | None = None


UnitCommand = RegisterUnit | RenameUnit | ReparentUnit | EndUnit


def _check_parent(level: UnitLevel, parent: Unit | None, day: datetime.date) -> None:
    allowed = PARENT_LEVELS[level]
    if not allowed:
        if parent is not None:
            raise InvalidInputError("a province has no parent unit", code="invalid_parent")
        return
    wanted = " or ".join(allowed)
    if parent is None or not parent.exists:
        raise NotFoundError(f"a {level} needs a parent {wanted}; none was found", code="unknown_parent")
    if parent.level not in allowed:
        raise InvalidInputError(
            f"a {level} belongs under a {wanted}, not under a {parent.level} ({parent.code})",
            code="invalid_parent_level",
        )
    if level == "commune" and parent.level == "province" and day < TWO_TIER_FROM:
        raise InvalidInputError(
            f"before {TWO_TIER_FROM.isoformat()} a commune belongs under a district, not directly under "
            f"the province ({parent.code})",
            code="invalid_parent_level",
        )
    if not parent.active_on(day):
        raise ConflictError(
            f"parent {parent.code} does not exist on {day.isoformat()} ({parent.status})", code="parent_not_active"
        )


def _check_active(unit: Unit, day: datetime.date, action: str) -> None:
    if not unit.exists:
        raise NotFoundError("no such unit", code="unknown_unit")
    if day < unit.valid_from:
        raise InvalidInputError(
            f"cannot {action} {unit.code} on {day.isoformat()}, before it existed ({unit.valid_from.isoformat()})",
            code="date_out_of_order",
        )
    if unit.status != "active":
        raise ConflictError(f"unit {unit.code} is {unit.status}; cannot {action} it", code="unit_not_active")
    if day < unit.last_on:
        raise InvalidInputError(
            f"cannot {action} {unit.code} on {day.isoformat()}: its history already runs to {unit.last_on.isoformat()}",
            code="date_out_of_order",
        )


def decide(command: UnitCommand, unit: Unit) -> Sequence[Event]:
    match command:
        case RegisterUnit():
            return _register(command, unit)
        case RenameUnit():
            _check_active(unit, command.effective_on, "rename")
            name = clean_name(command.name)
            if name == unit.name:
                return []
            return [
                UnitRenamed(unit_id=unit.unit_id, name=name, previous_name=unit.name, effective_on=command.effective_on)
            ]
        case ReparentUnit():
            _check_active(unit, command.effective_on, "move")
            _check_parent(unit.level, command.parent, command.effective_on)
            if command.parent.unit_id == unit.parent_id:
                return []
            return [
                UnitReparented(
                    unit_id=unit.unit_id,
                    parent_id=command.parent.unit_id,
                    previous_parent_id=unit.parent_id,
                    effective_on=command.effective_on,
                )
            ]
        case EndUnit():
            return _end(command, unit)


def _register(command: RegisterUnit, unit: Unit) -> Sequence[Event]:
    if unit.exists:
        raise ConflictError(f"unit {unit.unit_id} is already registered", code="duplicate_unit")
    _check_parent(command.level, command.parent, command.valid_from)
    return [
        UnitRegistered(
            unit_id=command.unit_id,
            code=clean_code(command.code),
            name=clean_name(command.name),
            level=command.level,
            parent_id=command.parent.unit_id if command.parent else None,
            valid_from=command.valid_from,
            unit_type=clean_name(command.unit_type, field="unit_type") if command.unit_type else None,
            predecessor_ids=list(command.predecessor_ids),
        )
    ]


_VERB = {"merged": "merge", "split": "split", "dissolved": "dissolve"}


def _end(command: EndUnit, unit: Unit) -> Sequence[Event]:
    _check_active(unit, command.effective_on, _VERB[command.how])
    if command.effective_on == unit.valid_from:
        raise InvalidInputError(
            f"{unit.code} cannot end on the day it began ({unit.valid_from.isoformat()})", code="date_out_of_order"
        )
    if command.how == "merged":
        if len(command.successor_ids) != 1:
            raise InvalidInputError("a merge has exactly one successor", code="invalid_merge")
        return [
            UnitMerged(unit_id=unit.unit_id, successor_id=command.successor_ids[0], effective_on=command.effective_on)
        ]
    if command.how == "split":
        if len(command.successor_ids) < 2:
            raise InvalidInputError("a split has at least two successors", code="invalid_split")
        return [
            UnitSplit(
                unit_id=unit.unit_id, successor_ids=list(command.successor_ids), effective_on=command.effective_on
            )
        ]
    reason = clean_name(command.reason, field="reason") if command.reason else None
    return [UnitDissolved(unit_id=unit.unit_id, effective_on=command.effective_on, reason=reason)]


UNIT: Decider[UnitCommand, Unit] = Decider(stream_type="unit", initial=Unit, evolve=evolve, decide=decide)
