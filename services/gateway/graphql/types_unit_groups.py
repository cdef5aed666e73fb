# mypy: disallow-untyped-decorators=False
"""Unit groups (ADR 0056) in GraphQL: a group with its members on a day (from the registry)
and an indicator's value for a group as a whole (from the metrics service), built from the
services' answers with ``contract_type``."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.metrics import ValueView
from contracts.api.unit_groups import UnitGroupMemberView, UnitGroupView
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.offset_pages import OffsetPage
from services.gateway.graphql.scalars import Period, UnitLevel
from services.gateway.graphql.types_metrics import Indicator, indicator_named
from services.gateway.graphql.types_units import AdministrativeUnit, PageInfo, unit_by_id

Ctx = Info[Any, Any]


@contract_type(
    UnitGroupMemberView,
    fields=("unit_code", "unit_name", "level", "joined_on", "left_on"),
    descriptions={"left_on": "The first day it is out of the group; null while it is in."},
    convert={"level": lambda level: UnitLevel(level) if level else None},
    description="A unit's membership of a group: from the day it joined until the day it left.",
)
class UnitGroupMember(FromContract[UnitGroupMemberView]):
    level: UnitLevel | None
    as_of: strawberry.Private[datetime.date | None]

    @classmethod
    def of(cls, view: UnitGroupMemberView, as_of: datetime.date | None = None, /, **extra: Any) -> UnitGroupMember:
        return cls.from_view(view, as_of=as_of, **extra)

    @strawberry.field(description="The unit, as of the group's day.")
    async def unit(self, info: Ctx) -> AdministrativeUnit | None:
        return await unit_by_id(info, self.view.unit_id, self.as_of)


@contract_type(
    UnitGroupView,
    fields=("code", "name", "description", "source", "as_of"),
    descriptions={
        "source": "The document the group and its members come from.",
        "as_of": "The day the members are of; null: every membership, past ones too.",
    },
    description="A named group of units the province reports on as one (pilot communes, Chợ 4.0 markets…).",
)
class UnitGroup(FromContract[UnitGroupView]):
    members: list[UnitGroupMember]

    @classmethod
    def of(cls, view: UnitGroupView, /, **extra: Any) -> UnitGroup:
        members = [UnitGroupMember.of(m, view.as_of) for m in view.members]
        return cls.from_view(view, members=members, **extra)


@strawberry.type
class UnitGroupEdge:
    node: UnitGroup
    cursor: str


@strawberry.type
class UnitGroupConnection:
    edges: list[UnitGroupEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: OffsetPage[UnitGroupView]) -> UnitGroupConnection:
        pairs = zip(page.items, page.cursors, strict=True)
        return cls(
            edges=[UnitGroupEdge(node=UnitGroup.of(g), cursor=c) for g, c in pairs],
            page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
            total_count=page.total_count,
        )


@contract_type(
    ValueView,
    fields=("period", "value", "reason", "origin", "source", "as_of"),
    renamed={"group_code": "unit_code", "group_name": "unit_name"},
    descriptions={
        "origin": "How it is made: computed, rollup (of the members' reports), formula or composite.",
        "group_code": "The group's code.",
    },
    description="An indicator's value for a unit group as a whole: its members' values rolled up.",
    name="UnitGroupIndicatorValue",
    nested=False,
)
class UnitGroupIndicatorValue(FromContract[ValueView]):
    period: Period

    @strawberry.field
    async def indicator(self, info: Ctx) -> Indicator:
        return await indicator_named(info, self.view.indicator_code)
