# mypy: disallow-untyped-decorators=False
"""Programmes, their deliveries to stations, and airtime (from the broadcast service)."""

from __future__ import annotations

import datetime
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_views import DeliveryView, ProgrammeView
from services.gateway.adapters.broadcast_api import updated_at
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import global_id
from services.gateway.graphql.types_units import AdministrativeUnit, Node, PageInfo, RadioStation

Ctx = Info[Any, Any]


@strawberry.type(description="Seconds on air from one source in a period.")
class Airtime:
    source: str
    seconds: int


@strawberry.type(description="A programme's delivery to one commune station.")
class Delivery:
    status: str
    updated_at: datetime.datetime
    view: strawberry.Private[DeliveryView]

    @strawberry.field
    async def station(self, info: Ctx) -> RadioStation:
        view = await context_of(info).loaders.station_by_id.load(self.view.station_id)
        if view is None:
            raise LookupError(f"station {self.view.station_id} is not in the registry")
        return RadioStation.of(view)


@strawberry.type(description="A radio programme produced by a district centre or the province.")
class Programme(Node):
    id: strawberry.ID
    title: str
    air_date: datetime.date
    news_items: int
    articles: int
    duration_seconds: int
    segments: list[str]
    view: strawberry.Private[ProgrammeView]

    @classmethod
    def of(cls, view: ProgrammeView) -> Programme:
        return cls(
            id=global_id("Programme", view.programme_id),
            title=view.title,
            air_date=view.air_date,
            news_items=view.news_items,
            articles=view.articles,
            duration_seconds=view.duration_seconds,
            segments=list(view.segments),
            view=view,
        )

    @strawberry.field
    async def producer(self, info: Ctx) -> AdministrativeUnit:
        view = await context_of(info).loaders.unit_by_code.load((self.view.unit_code, self.view.air_date))
        if view is None:
            raise LookupError(f"producer {self.view.unit_code} of programme {self.view.programme_id} is unknown")
        return AdministrativeUnit.of(view, self.view.air_date)

    @strawberry.field
    async def deliveries(self, info: Ctx) -> list[Delivery]:
        views = await context_of(info).loaders.deliveries_by_programme.load(self.view.programme_id)
        return [Delivery(status=v.status, updated_at=updated_at(v), view=v) for v in views]


@strawberry.type
class ProgrammeEdge:
    node: Programme
    cursor: str


@strawberry.type
class ProgrammeConnection:
    edges: list[ProgrammeEdge]
    page_info: PageInfo
    total_count: int
