"""Unit groups (ADR 0056): a named set of units the province reports on as one (the pilot
communes of the digital-transformation programme, the "Chợ 4.0" market communes, border
communes), with membership over time. Pure, no I/O.

A unit joins on a day and leaves on a later one; it may join again after it left, never while
it is in. "The group as of a day" is the units whose membership covers that day. Commands that
name a unit carry its snapshot, loaded by the application layer on the day they are about.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import msgspec

from contracts.base import Event
from contracts.registry_events import UnitGroupCreated, UnitGroupMemberAdded, UnitGroupMemberRemoved
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from libs.common.text import clean_name, clean_text
from services.registry.domain.names import clean_code
from services.registry.domain.units import Unit


class Membership(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    joined_on: datetime.date
    left_on: datetime.date | None = None

    def covers(self, day: datetime.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or day < self.left_on)


class UnitGroup(msgspec.Struct, frozen=True, kw_only=True):
    code: str = ""
    name: str = ""
    memberships: tuple[Membership, ...] = ()
    """Every membership, oldest first; at most one open (``left_on`` None) per unit."""

    @property
    def exists(self) -> bool:
        return bool(self.code)

    def open_membership(self, unit_id: str) -> Membership | None:
        return next((m for m in self.memberships if m.unit_id == unit_id and m.left_on is None), None)

    def members_on(self, day: datetime.date) -> list[str]:
        return [m.unit_id for m in self.memberships if m.covers(day)]


def normalise_code(raw: str) -> str:
    return clean_code(raw).upper()


def stream_id(group_code: str) -> str:
    return f"unit-group-{group_code}"


class CreateUnitGroup(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    description: str | None = None
    source: str | None = None


class AddMember(msgspec.Struct, frozen=True, kw_only=True):
    unit: Unit
    joined_on: datetime.date


class RemoveMember(msgspec.Struct, frozen=True, kw_only=True):
    unit: Unit
    left_on: datetime.date
    reason: str | None = None


UnitGroupCommand = CreateUnitGroup | AddMember | RemoveMember


def decide(command: UnitGroupCommand, group: UnitGroup) -> Sequence[Event]:
    match command:
        case CreateUnitGroup():
            if group.exists:
                raise ConflictError(f"unit group {group.code} already exists", code="duplicate_unit_group")
            return [
                UnitGroupCreated(
                    group_code=normalise_code(command.code),
                    name=clean_name(command.name),
                    description=clean_text(command.description, field="description"),
                    source=clean_text(command.source, field="source"),
                )
            ]
        case AddMember():
            return _add(command, _existing(group))
        case RemoveMember():
            return _remove(command, _existing(group))


def _existing(group: UnitGroup) -> UnitGroup:
    if not group.exists:
        raise NotFoundError("no such unit group", code="unknown_unit_group")
    return group


def _add(command: AddMember, group: UnitGroup) -> Sequence[Event]:
    unit, day = command.unit, command.joined_on
    if not unit.active_on(day):
        raise ConflictError(
            f"unit {unit.code} does not exist on {day.isoformat()} ({unit.status}); it cannot join {group.code}",
            code="unit_not_active",
        )
    if group.open_membership(unit.unit_id) is not None:
        raise ConflictError(f"unit {unit.code} is already in {group.code}", code="already_a_member")
    last_left = max((m.left_on for m in group.memberships if m.unit_id == unit.unit_id and m.left_on), default=None)
    if last_left is not None and day < last_left:
        raise InvalidInputError(
            f"unit {unit.code} left {group.code} on {last_left.isoformat()}; it cannot rejoin before that",
            code="date_out_of_order",
        )
    return [UnitGroupMemberAdded(group_code=group.code, unit_id=unit.unit_id, unit_code=unit.code, joined_on=day)]


def _remove(command: RemoveMember, group: UnitGroup) -> Sequence[Event]:
    unit = command.unit
    membership = group.open_membership(unit.unit_id)
    if membership is None:
        raise ConflictError(f"unit {unit.code} is not in {group.code}", code="not_a_member")
    if command.left_on <= membership.joined_on:
        raise InvalidInputError(
            f"unit {unit.code} joined {group.code} on {membership.joined_on.isoformat()}; it leaves after that",
            code="date_out_of_order",
        )
    return [
        UnitGroupMemberRemoved(
            group_code=group.code,
            unit_id=unit.unit_id,
            left_on=command.left_on,
            reason=clean_text(command.reason, field="reason"),
        )
    ]


def evolve(group: UnitGroup, event: Event) -> UnitGroup:
    match event:
        case UnitGroupCreated():
            return UnitGroup(code=event.group_code, name=event.name)
        case UnitGroupMemberAdded():
            joined = Membership(unit_id=event.unit_id, joined_on=event.joined_on)
            return msgspec.structs.replace(group, memberships=(*group.memberships, joined))
        case UnitGroupMemberRemoved():
            closed = tuple(
                msgspec.structs.replace(m, left_on=event.left_on)
                if m.unit_id == event.unit_id and m.left_on is None
                else m
                for m in group.memberships
            )
            return msgspec.structs.replace(group, memberships=closed)
    return group


UNIT_GROUP: Decider[UnitGroupCommand, UnitGroup] = Decider(
    stream_type="unit_group", initial=UnitGroup, evolve=evolve, decide=decide
)
