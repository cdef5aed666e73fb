# mypy: disallow-untyped-decorators=False
"""Mutations: each is forwarded as a command to the service that owns it, as the caller.

The caller's principal goes along signed, so the service decides scopes and ownership; its
refusals come back as GraphQL errors with the service's code (see ``errors``). A command's
result is read back from the service's read model, which follows the log a moment later: the
mutation waits for the projection to report the command's position (``read_back``), so a
partner reads its own write.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.broadcast import (
    ObservationKind,
    RecordProgrammeBody,
    RecordRelaySessionsBody,
    RelaySessionBody,
    ReportSignalsBody,
    SignalReportBody,
)
from contracts.api.broadcast_views import ProgrammePage
from contracts.api.metrics import ReportValue, SetTarget
from contracts.api.registry import (
    CommissionBtsBody,
    MergeUnitsBody,
    RegisterRadioStationBody,
    RegisterSpeakerClusterBody,
    RegisterUnitBody,
)
from contracts.api.registry_views import UnitView
from libs.common.errors import InvalidInputError
from services.gateway.adapters import broadcast_api, metrics_api, registry_api
from services.gateway.adapters.internal import ServiceCaller
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import raw_id
from services.gateway.graphql.inputs import (
    MergeUnitsInput,
    RecordProgrammeInput,
    RecordRelayInput,
    RegisterBtsStationInput,
    RegisterRadioStationInput,
    RegisterSpeakerClusterInput,
    RegisterUnitInput,
    ReportClusterSignalInput,
    ReportIndicatorValueInput,
    SetIndicatorTargetInput,
)
from services.gateway.graphql.read_back import read_back
from services.gateway.graphql.scalars import SignalStatus
from services.gateway.graphql.types_broadcast import Programme
from services.gateway.graphql.types_metrics import IndicatorValue
from services.gateway.graphql.types_units import AdministrativeUnit, BtsStation, RadioStation, SpeakerCluster

Ctx = Info[Any, Any]

SIGNAL_REPORT_KINDS: dict[SignalStatus, ObservationKind] = {
    SignalStatus.ONLINE: "HEARTBEAT",
    SignalStatus.NO_SIGNAL: "NO_SIGNAL",
    SignalStatus.OFFLINE: "OFFLINE",
}
"""What a reported signal is to the broadcast service; UNKNOWN is not something a cluster reports."""


def _writer(info: Ctx) -> ServiceCaller:
    """The caller unchecked for ``read``: a writer sees the row it wrote (ADR 0020); whatever
    its result's fields reach past that row goes through the loaders, which need ``read``."""
    return context_of(info).writer()


def _unit_body(data: RegisterUnitInput) -> RegisterUnitBody:
    return RegisterUnitBody(
        code=data.code,
        name=data.name,
        level=data.level.value,
        valid_from=data.valid_from,
        parent_code=data.parent_code,
        unit_type=data.unit_type,
    )


async def _unit(caller: ServiceCaller, unit_id: str, stated: RegisterUnitInput) -> UnitView:
    async def fetch() -> UnitView | None:
        found = await registry_api.units_by_ids(caller, [unit_id], None)
        return found[0] if found else None

    async def accepted() -> UnitView:
        """The unit as the command registered it: its parent is in the read model already."""
        parents = (
            await registry_api.units_by_codes(caller, [stated.parent_code], stated.valid_from)
            if stated.parent_code
            else []
        )
        return UnitView(
            unit_id=unit_id,
            code=stated.code,
            name=stated.name,
            level=stated.level.value,
            unit_type=stated.unit_type,
            parent_id=parents[0].unit_id if parents else None,
            valid_from=stated.valid_from,
            valid_to=None,
            status="active",
            successor_ids=[],
            predecessor_ids=[],
        )

    return await read_back(caller, fetch, f"unit {unit_id}", reads=registry_api.UNITS_READ_MODEL, accepted=accepted)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Register an administrative unit (registry).")
    async def register_unit(self, info: Ctx, input: RegisterUnitInput) -> AdministrativeUnit:
        caller = _writer(info)
        result = await registry_api.register_unit(caller, _unit_body(input), input.idempotency_key)
        return AdministrativeUnit.of(await _unit(caller, result.ids[0], input))

    @strawberry.mutation(description="Merge units into a successor on a date (registry).")
    async def merge_units(self, info: Ctx, input: MergeUnitsInput) -> AdministrativeUnit:
        caller = _writer(info)
        body = MergeUnitsBody(
            source_codes=list(input.source_codes),
            effective_on=input.effective_date,
            successor=_unit_body(input.successor),
        )
        result = await registry_api.merge_units(caller, body, input.idempotency_key)
        return AdministrativeUnit.of(await _unit(caller, result.ids[0], input.successor))

    @strawberry.mutation(description="Register a commune's radio station (registry).")
    async def register_radio_station(self, info: Ctx, input: RegisterRadioStationInput) -> RadioStation:
        caller = _writer(info)
        body = RegisterRadioStationBody(
            unit_code=input.unit_code,
            technology=input.technology.value,
            installed_on=input.installed_on,
            funding_source=input.funding_source,
            operator_code=input.operator_code,
        )
        [station_id, *_] = (await registry_api.register_station(caller, body, input.idempotency_key)).ids

        async def fetch() -> RadioStation | None:
            found = await registry_api.stations_by_ids(caller, [station_id])
            return RadioStation.of(found[0]) if found else None

        return await read_back(caller, fetch, f"station {station_id}", reads=registry_api.ASSETS_READ_MODEL)

    @strawberry.mutation(description="Register a loudspeaker cluster of a station (registry).")
    async def register_speaker_cluster(
        self,
        info: Ctx,
        input: RegisterSpeakerClusterInput,
    ) -> SpeakerCluster:
        caller = _writer(info)
        body = RegisterSpeakerClusterBody(
            station_id=raw_id(input.station_id, "RadioStation", "stationId"),
            village_code=input.village_code,
            latitude=input.latitude,
            longitude=input.longitude,
            installed_on=input.installed_on,
        )
        result = await registry_api.register_cluster(caller, body, input.idempotency_key)
        return await _cluster(caller, result.ids[0], registry_api.ASSETS_READ_MODEL)

    @strawberry.mutation(description="Report a loudspeaker cluster's signal (broadcast).")
    async def report_cluster_signal(
        self,
        info: Ctx,
        input: ReportClusterSignalInput,
    ) -> SpeakerCluster:
        caller = _writer(info)
        cluster_id = raw_id(input.cluster_id, "SpeakerCluster", "clusterId")
        kind = SIGNAL_REPORT_KINDS.get(input.signal)
        if kind is None:
            raise InvalidInputError("UNKNOWN is not a signal a cluster can report", code="validation")
        report = SignalReportBody(cluster_id=cluster_id, kind=kind, observed_at=input.observed_at)
        await broadcast_api.report_signal(caller, ReportSignalsBody(reports=[report]), input.idempotency_key)
        # The cluster is the registry's; its signal, which the report changed, is broadcast's.
        return await _cluster(caller, cluster_id, broadcast_api.SIGNAL_READ_MODEL)

    @strawberry.mutation(description="Register a base station of a telecom operator (registry).")
    async def register_bts_station(self, info: Ctx, input: RegisterBtsStationInput) -> BtsStation:
        caller = _writer(info)
        body = CommissionBtsBody(
            operator_code=input.operator,
            unit_code=input.unit_code,
            technologies=[t.value for t in input.technologies],
            latitude=input.latitude,
            longitude=input.longitude,
            commissioned_on=input.commissioned_on,
        )
        [bts_id, *_] = (await registry_api.commission_bts(caller, body, input.idempotency_key)).ids

        async def fetch() -> BtsStation | None:
            found = await registry_api.bts_by_ids(caller, [bts_id])
            return BtsStation.of(found[0]) if found else None

        return await read_back(caller, fetch, f"base station {bts_id}", reads=registry_api.ASSETS_READ_MODEL)

    @strawberry.mutation(description="Record a programme produced by a district centre (broadcast).")
    async def record_programme(self, info: Ctx, input: RecordProgrammeInput) -> Programme:
        caller = _writer(info)
        body = RecordProgrammeBody(
            unit_code=input.producer_code,
            title=input.title,
            air_date=input.air_date,
            news_items=input.news_items,
            articles=input.articles,
            duration_seconds=input.duration_seconds,
            segments=input.segments or [],
            priority=input.priority.value,
            draft=input.draft,
        )
        programme_id = await broadcast_api.record_programme(caller, body, input.idempotency_key)

        async def fetch() -> Programme | None:
            page = await broadcast_api.programmes(
                caller,
                ProgrammePage,
                producer_code=input.producer_code,
                date_from=input.air_date,
                date_to=input.air_date,
                first=500,
                after=None,
            )
            found = [p for p in page.programmes if p.programme_id == programme_id]
            return Programme.of(found[0]) if found else None

        return await read_back(caller, fetch, f"programme {programme_id}", reads=broadcast_api.OPERATIONS_READ_MODEL)

    @strawberry.mutation(description="Record a relay session of a station (broadcast).")
    async def record_relay(self, info: Ctx, input: RecordRelayInput) -> RadioStation:
        caller = _writer(info)
        station_id = raw_id(input.station_id, "RadioStation", "stationId")
        session = RelaySessionBody(
            station_id=station_id, source=input.source.value, started_at=input.started_at, ended_at=input.ended_at
        )
        await broadcast_api.record_relays(caller, RecordRelaySessionsBody(sessions=[session]), input.idempotency_key)
        found = await registry_api.stations_by_ids(caller, [station_id])
        if not found:
            raise LookupError(f"station {station_id} accepted a relay but is not in the registry's read model")
        return RadioStation.of(found[0])

    @strawberry.mutation(description="Report an indicator's value for a unit and period (metrics).")
    async def report_indicator_value(
        self,
        info: Ctx,
        input: ReportIndicatorValueInput,
    ) -> IndicatorValue:
        caller = _writer(info)
        body = ReportValue(
            indicator_code=input.indicator_code,
            unit_code=input.unit_code,
            period=str(input.period),
            value=input.value,
            source=input.source,
        )
        await metrics_api.report_value(caller, body, input.idempotency_key)

        async def current() -> IndicatorValue | None:
            found = await metrics_api.values(caller, [input.indicator_code], [input.unit_code], str(input.period))
            return IndicatorValue.of(found[0]) if found else None

        async def fetch() -> IndicatorValue | None:
            shown = await current()
            return shown if shown is not None and shown.view.value == input.value else None

        return await read_back(caller, fetch, "value", reads=metrics_api.VALUES_READ_MODEL, accepted=current)

    @strawberry.mutation(description="Set an indicator's target for a unit and year (metrics).")
    async def set_indicator_target(self, info: Ctx, input: SetIndicatorTargetInput) -> IndicatorValue:
        caller = _writer(info)
        body = SetTarget(
            indicator_code=input.indicator_code, unit_code=input.unit_code, year=input.year, target=input.target
        )
        await metrics_api.set_target(caller, body, input.idempotency_key)

        async def current() -> IndicatorValue | None:
            found = await metrics_api.values(caller, [input.indicator_code], [input.unit_code], str(input.year))
            return IndicatorValue.of(found[0]) if found else None

        async def fetch() -> IndicatorValue | None:
            shown = await current()
            return shown if shown is not None and shown.view.target == input.target else None

        return await read_back(caller, fetch, "target", reads=metrics_api.VALUES_READ_MODEL, accepted=current)


async def _cluster(caller: ServiceCaller, cluster_id: str, reads: str) -> SpeakerCluster:
    async def fetch() -> SpeakerCluster | None:
        found = await registry_api.clusters_by_ids(caller, [cluster_id])
        return SpeakerCluster.of(found[0]) if found else None

    return await read_back(caller, fetch, f"cluster {cluster_id}", reads=reads)
