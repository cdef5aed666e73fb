"""Unit groups on the wire (ADR 0056): the registry's command bodies for them
(``/commands/unit-groups/...``) and what its group queries answer, as the registry encodes
them and the gateway decodes them.

A group is named by its code (``PILOT_CDS_2023``), a member by its unit's official code,
resolved on the day it joins or leaves. Every command answers a ``CommandResult``.
"""

from __future__ import annotations

import datetime

import msgspec

from contracts.api.registry import Body
from contracts.registry_events import UnitLevel


class CreateUnitGroupBody(Body, frozen=True):
    code: str
    name: str
    description: str | None = None
    source: str | None = None
    """The document the group comes from (a plan, a decision, a report)."""


class AddUnitGroupMemberBody(Body, frozen=True):
    unit_code: str
    """The unit's official code, resolved on ``joined_on``."""
    joined_on: datetime.date


class RemoveUnitGroupMemberBody(Body, frozen=True):
    unit_code: str
    """The unit's official code, resolved on the day before ``left_on`` (its last day in)."""
    left_on: datetime.date
    reason: str | None = None


class UnitGroupMemberView(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    unit_code: str
    unit_name: str
    level: UnitLevel | None
    """None until the registry's units read model has the unit."""
    joined_on: datetime.date
    left_on: datetime.date | None


class UnitGroupView(msgspec.Struct, frozen=True, kw_only=True):
    """A group and its members on ``as_of`` (every membership, past ones too, without it)."""

    code: str
    name: str
    description: str | None
    source: str | None
    as_of: datetime.date | None
    members: list[UnitGroupMemberView]


class UnitGroupPage(msgspec.Struct, frozen=True, kw_only=True):
    """A page of groups as ``/api/v1/unit-groups`` answers it (the registry answers them whole)."""

    items: list[UnitGroupView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None
