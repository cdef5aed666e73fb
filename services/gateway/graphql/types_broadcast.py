# mypy: disallow-untyped-decorators=False
"""Programmes, their deliveries to stations, and airtime (from the broadcast service), built
from the service's answers (``contracts.api.broadcast_views``) with ``contract_type``."""

from __future__ import annotations

import datetime
import enum
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_views import DeliveryView, ProgrammeView, SourceAirtime
from services.gateway.adapters.broadcast_api import updated_at
from services.gateway.graphql.context import context_of
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.ids import global_id
from services.gateway.graphql.types_programme_approval import BulletinPriority, ContentApproval, ProgrammeApprovalStep
from services.gateway.graphql.types_units import AdministrativeUnit, Node, PageInfo, RadioStation

Ctx = Info[Any, Any]


@contract_type(SourceAirtime, fields=("source", "seconds"), description="Seconds on air from one source in a period.")
class Airtime(FromContract[SourceAirtime]):
    pass


@strawberry.enum(description="A delivery against its due time.")
class Timeliness(enum.Enum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"
    FAILED = "failed"


@contract_type(
    DeliveryView,
    fields=(
        "unit_code",
        "status",
        "timeliness",
        "sent_at",
        "due_at",
        "received_at",
        "aired_at",
        "failed_at",
        "failure_reason",
        "priority",
    ),
    descriptions={
        "priority": "The programme's priority when it was sent.",
        "status": "sent, received, aired or failed.",
        "timeliness": "LATE: aired after dueAt, or received and still not aired past it; MISSING: not even "
        "received past dueAt; PENDING: not due yet.",
        "unit_code": "The station's commune.",
    },
    description="A programme's delivery to one commune station.",
)
class Delivery(FromContract[DeliveryView]):
    timeliness: Timeliness
    priority: BulletinPriority

    @strawberry.field(description="When the delivery last moved.")
    def updated_at(self) -> datetime.datetime:
        return updated_at(self.view)

    @strawberry.field
    async def station(self, info: Ctx) -> RadioStation:
        view = await context_of(info).loaders.station_by_id.load(self.view.station_id)
        if view is None:
            raise LookupError(f"station {self.view.station_id} is not in the registry")
        return RadioStation.of(view)

    @strawberry.field
    async def programme(self, info: Ctx) -> Programme | None:
        view = await context_of(info).loaders.programme_by_id.load(self.view.programme_id)
        return Programme.of(view) if view else None


@contract_type(
    ProgrammeView,
    fields=(
        "title",
        "air_date",
        "news_items",
        "articles",
        "duration_seconds",
        "segments",
        "corrections",
        "priority",
        "approval",
        "approval_history",
    ),
    descriptions={
        "corrections": "Times it was corrected after it was recorded.",
        "approval": "Content approval (ADR 0052): only APPROVED or DISTRIBUTED content is sent to stations.",
        "approval_history": "Each step of its content approval, oldest first.",
    },
    description="A radio programme produced by a district centre or the province.",
)
class Programme(Node, FromContract[ProgrammeView]):
    id: strawberry.ID
    priority: BulletinPriority
    approval: ContentApproval
    approval_history: list[ProgrammeApprovalStep]

    @classmethod
    def of(cls, view: ProgrammeView, /, **extra: Any) -> Programme:
        return cls.from_view(view, id=global_id("Programme", view.programme_id), **extra)

    @strawberry.field
    async def producer(self, info: Ctx) -> AdministrativeUnit:
        view = await context_of(info).loaders.unit_by_code.load((self.view.unit_code, self.view.air_date))
        if view is None:
            raise LookupError(f"producer {self.view.unit_code} of programme {self.view.programme_id} is unknown")
        return AdministrativeUnit.of(view, self.view.air_date)

    @strawberry.field
    async def deliveries(self, info: Ctx) -> list[Delivery]:
        views = await context_of(info).loaders.deliveries_by_programme.load(self.view.programme_id)
        return [Delivery.of(v) for v in views]


@strawberry.type
class ProgrammeEdge:
    node: Programme
    cursor: str


@strawberry.type
class ProgrammeConnection:
    edges: list[ProgrammeEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type
class DeliveryEdge:
    node: Delivery
    cursor: str


@strawberry.type
class DeliveryConnection:
    edges: list[DeliveryEdge]
    page_info: PageInfo
    total_count: int
