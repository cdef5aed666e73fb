# mypy: disallow-untyped-decorators=False
"""The root Query: every field needs the ``read`` scope, then resolves through the loaders."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast_views import ProgrammePage
from libs.common.errors import InvalidInputError
from services.gateway.adapters import broadcast_api, metrics_api, registry_api
from services.gateway.graphql.arguments_tree import ProducerAsOf
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import split_id
from services.gateway.graphql.pages import checked_first, programme_cursor
from services.gateway.graphql.scalars import Period, UnitLevel
from services.gateway.graphql.types_alerts import EmergencyAlert
from services.gateway.graphql.types_broadcast import Programme, ProgrammeConnection, ProgrammeEdge
from services.gateway.graphql.types_metrics import IndicatorValue
from services.gateway.graphql.types_operations import OutreachRecord, RelaySession
from services.gateway.graphql.types_registry_assets import REGISTRY_NODES, registry_node
from services.gateway.graphql.types_units import (
    AdministrativeUnit,
    BtsStation,
    DigitalTeam,
    Node,
    PageInfo,
    RadioStation,
    SpeakerCluster,
)
from services.gateway.version import VERSION

Ctx = Info[Any, Any]


@strawberry.type(description="The running platform.")
class Platform:
    version: str


async def _node(info: Ctx, type_name: str | None, raw: str) -> Node | None:
    loaders = context_of(info).loaders
    if type_name == "AdministrativeUnit":
        unit = await loaders.unit_by_id.load((raw, None))
        return AdministrativeUnit.of(unit) if unit else None
    if type_name == "RadioStation":
        station = await loaders.station_by_id.load(raw)
        return RadioStation.of(station) if station else None
    if type_name == "SpeakerCluster":
        cluster = await loaders.cluster_by_id.load(raw)
        return SpeakerCluster.of(cluster) if cluster else None
    if type_name == "BtsStation":
        found = await registry_api.bts_by_ids(context_of(info).caller(), [raw])
        return BtsStation.of(found[0]) if found else None
    if type_name == "DigitalTeam":
        teams = await registry_api.teams_by_ids(context_of(info).caller(), [raw])
        return DigitalTeam.of(teams[0]) if teams else None
    if type_name in REGISTRY_NODES:
        return await registry_node(context_of(info).caller(), type_name, raw)
    if type_name == "EmergencyAlert":
        alert = await loaders.alert_by_id.load(raw)
        return EmergencyAlert.of(alert) if alert else None
    if type_name == "RelaySession":
        sessions = await broadcast_api.relay_sessions_by_ids(context_of(info).caller(), [raw])
        return RelaySession.of(sessions[0]) if sessions else None
    if type_name == "OutreachRecord":
        records = await broadcast_api.outreach_by_ids(context_of(info).caller(), [raw])
        return OutreachRecord.of(records[0]) if records else None
    if type_name == "Programme":
        programmes = await broadcast_api.programmes_by_ids(context_of(info).caller(), [raw])
        return Programme.of(programmes[0]) if programmes else None
    raise InvalidInputError(f"{type_name or 'an id without a type'} is not a node type", code="validation")


@strawberry.type
class Query:
    @strawberry.field(description="Which tinhso version answers (no credentials needed).")
    def platform(self) -> Platform:
        return Platform(version=VERSION)

    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Ctx, id: strawberry.ID) -> Node | None:
        context_of(info).reader()
        type_name, raw = split_id(str(id))
        return await _node(info, type_name, raw)

    @strawberry.field(description="The unit holding a code on asOf (today without it).")
    async def unit(self, info: Ctx, code: str, as_of: datetime.date | None = None) -> AdministrativeUnit | None:
        context = context_of(info)
        context.reader()
        view = await context.loaders.unit_by_code.load((code, as_of))
        return AdministrativeUnit.of(view, as_of) if view else None

    @strawberry.field(description="Programmes of a producer unit (and the units under it), by air date, oldest first.")
    async def programmes(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        producer_code: str | None = None,
        from_: Annotated[datetime.date | None, strawberry.argument(name="from")] = None,
        to: datetime.date | None = None,
        first: int | None = 50,
        after: str | None = None,
        as_of: ProducerAsOf = None,
    ) -> ProgrammeConnection:
        context = context_of(info)
        context.reader()
        page = await broadcast_api.programmes(
            context.caller(),
            ProgrammePage,
            producer_code=producer_code,
            date_from=from_,
            date_to=to,
            first=checked_first(first),
            after=after,
            as_of=as_of,
        )
        edges = [ProgrammeEdge(node=Programme.of(p), cursor=programme_cursor(p)) for p in page.programmes]
        return ProgrammeConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=page.next_cursor is not None, end_cursor=page.next_cursor),
            total_count=page.total_count,
        )

    @strawberry.field(description="Values of some indicators for a period, for units of a level under a parent.")
    async def indicator_values(  # noqa: PLR0917 - GraphQL arguments, passed by name
        self,
        info: Ctx,
        codes: list[str],
        period: Period,
        level: UnitLevel | None = None,
        parent_code: str | None = None,
        as_of: Annotated[
            datetime.date | None,
            strawberry.argument(description="A day inside the period: a stock as of that day, a flow up to it."),
        ] = None,
        group: Annotated[
            str | None, strawberry.argument(description="With level: only the members of this unit group (its code).")
        ] = None,
    ) -> list[IndicatorValue]:
        context = context_of(info)
        context.reader()
        caller, day = context.caller(), as_of
        if level is not None:
            values = await metrics_api.values_at_level(
                caller, codes, str(period), level.value, parent_code, as_of=day, group=group
            )
        elif parent_code is not None:
            values = await metrics_api.values(caller, codes, [parent_code], str(period), as_of=day)
        else:
            raise InvalidInputError("give level, parentCode or both", code="validation")
        return [IndicatorValue.of(v) for v in values]
