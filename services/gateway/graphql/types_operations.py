# mypy: disallow-untyped-decorators=False
"""Relay sessions and outreach (mobile information sessions, loudspeaker-vehicle trips) as
partners read them, built from the broadcast service's answers with ``contract_type``."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_views import OutreachDay, OutreachRecordView, OutreachReport, SessionView
from services.gateway.adapters import broadcast_api
from services.gateway.graphql.context import context_of
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.ids import global_id
from services.gateway.graphql.pages import checked_first
from services.gateway.graphql.scalars import Period, RelaySource
from services.gateway.graphql.types_broadcast import Programme
from services.gateway.graphql.types_units import AdministrativeUnit, Node, PageInfo, RadioStation

Ctx = Info[Any, Any]


@contract_type(
    SessionView,
    fields=("unit_code", "source", "started_at", "ended_at", "cancelled", "outside_schedule"),
    descriptions={
        "unit_code": "The station's commune.",
        "outside_schedule": "Met no slot of its station's broadcast schedule (none flagged without a schedule).",
    },
    convert={"started_at": datetime.datetime.fromisoformat, "ended_at": datetime.datetime.fromisoformat},
    description="A station relaying a source (VOV1, VTV1, the province's radio…) for a while.",
)
class RelaySession(Node, FromContract[SessionView]):
    id: strawberry.ID
    source: RelaySource
    started_at: datetime.datetime
    ended_at: datetime.datetime

    @classmethod
    def of(cls, view: SessionView, /, **extra: Any) -> RelaySession:
        return cls.from_view(view, id=global_id("RelaySession", view.session_id), **extra)

    @strawberry.field
    async def station(self, info: Ctx) -> RadioStation | None:
        view = await context_of(info).loaders.station_by_id.load(self.view.station_id)
        return RadioStation.of(view) if view else None

    @strawberry.field(description="The programme relayed, if the station named one.")
    async def programme(self, info: Ctx) -> Programme | None:
        loaders = context_of(info).loaders
        if self.view.programme_id is None:
            loaders.check_read()  # what the field would show is not the writer's row: refused alike
            return None
        view = await loaders.programme_by_id.load(self.view.programme_id)
        return Programme.of(view) if view else None


@strawberry.enum
class OutreachKind(enum.Enum):
    SESSION = "session"
    VEHICLE_TRIP = "vehicle_trip"


@contract_type(
    OutreachRecordView,
    fields=("kind", "unit_code", "on_date", "topic", "audience", "route", "distance_km"),
    descriptions={
        "on_date": "The day it was held or made.",
        "topic": "A session's topic.",
        "audience": "People at a session.",
        "route": "A vehicle trip's route.",
    },
    description="A mobile information session (đội thông tin lưu động) or a loudspeaker-vehicle trip.",
)
class OutreachRecord(Node, FromContract[OutreachRecordView]):
    id: strawberry.ID
    kind: OutreachKind

    @classmethod
    def of(cls, view: OutreachRecordView, /, **extra: Any) -> OutreachRecord:
        return cls.from_view(view, id=global_id("OutreachRecord", view.outreach_id), **extra)

    @strawberry.field
    async def unit(self, info: Ctx) -> AdministrativeUnit | None:
        view = await context_of(info).loaders.unit_by_code.load((self.view.unit_code, self.view.on_date))
        return AdministrativeUnit.of(view, self.view.on_date) if view else None


@contract_type(
    OutreachDay,
    fields=("unit_code", "on_date", "sessions", "vehicle_trips"),
    description="Sessions and vehicle trips of one unit on one day.",
)
class OutreachDayCount(FromContract[OutreachDay]):
    pass


@strawberry.type
class OutreachDayCountEdge:
    node: OutreachDayCount
    cursor: str


@strawberry.type
class OutreachDayCountConnection:
    edges: list[OutreachDayCountEdge]
    page_info: PageInfo
    total_count: int


@contract_type(
    OutreachReport,
    fields=("unit_code", "period", "sessions", "vehicle_trips", "days"),
    description="A unit's outreach over a period (everything under it), per unit and day.",
)
class OutreachSummary(FromContract[OutreachReport]):
    period: Period
    days: list[OutreachDayCount] = strawberry.field(
        deprecation_reason="A whole list: use dayCounts, a connection with totalCount."
    )
    as_of: strawberry.Private[datetime.date | None] = None
    """The day whose unit tree the summary was read in (None: today's); its pages are read in it too."""

    @strawberry.field(description="Sessions and vehicle trips per unit and day, by day then unit code.")
    async def day_counts(
        self, info: Ctx, first: int | None = 50, after: str | None = None
    ) -> OutreachDayCountConnection:
        page = await broadcast_api.outreach_days(
            context_of(info).loaders.caller,
            self.view.unit_code,
            self.view.period,
            self.as_of,
            checked_first(first),
            after,
        )
        return OutreachDayCountConnection(
            edges=[
                OutreachDayCountEdge(node=OutreachDayCount.of(d), cursor=c)
                for d, c in zip(page.days, page.cursors, strict=True)
            ],
            page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor),
            total_count=page.total_count,
        )


@strawberry.type
class RelaySessionEdge:
    node: RelaySession
    cursor: str


@strawberry.type
class RelaySessionConnection:
    edges: list[RelaySessionEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class OutreachRecordEdge:
    node: OutreachRecord
    cursor: str


@strawberry.type
class OutreachRecordConnection:
    edges: list[OutreachRecordEdge]
    page_info: PageInfo
    total_count: int
