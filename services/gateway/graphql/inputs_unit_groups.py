"""Typed inputs of the unit group mutations (ADR 0056): a group is named by its code, a member
by its unit's official code on the day it joins or leaves."""

from __future__ import annotations

import datetime

import strawberry

from services.gateway.graphql.inputs_registry import _key


@strawberry.input
class CreateUnitGroupInput:
    code: str = strawberry.field(description="The group's code, its identity (kept upper-case): PILOT_CDS_2023.")
    name: str
    description: str | None = None
    source: str | None = strawberry.field(default=None, description="The document the group comes from.")
    idempotency_key: str | None = _key()


@strawberry.input
class AddUnitGroupMemberInput:
    group_code: str
    unit_code: str = strawberry.field(description="The unit's code on joinedOn.")
    joined_on: datetime.date
    idempotency_key: str | None = _key()


@strawberry.input
class RemoveUnitGroupMemberInput:
    group_code: str
    unit_code: str = strawberry.field(description="The unit's code on its last day in the group.")
    left_on: datetime.date = strawberry.field(description="The first day it is out of the group.")
    reason: str | None = None
    idempotency_key: str | None = _key()
