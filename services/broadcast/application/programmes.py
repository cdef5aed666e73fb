"""Programmes and their distribution to commune stations."""

from __future__ import annotations

import datetime
from typing import Annotated

import msgspec

from contracts.broadcast_events import AudioFile, ProgrammeItem
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.commands import Transaction
from services.broadcast.adapters import registry_view
from services.broadcast.application.access import require_units_within_reach, unit_by_code
from services.broadcast.application.base import Accepted, Caller, Commands, new_id, utc_now
from services.broadcast.domain.deliveries import (
    DELIVERY,
    AirDelivery,
    DeliveryCommand,
    FailDelivery,
    ReceiveDelivery,
    SendDelivery,
    delivery_stream,
)
from services.broadcast.domain.programmes import (
    PROGRAMME,
    CorrectProgramme,
    ProducerUnit,
    Programme,
    RecordProgramme,
    programme_stream,
)

MAX_STATIONS = 2000


class RecordProgrammeInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_code: str
    """The producer: a district (its culture and media centre) or the province."""
    title: str
    air_date: datetime.date
    duration_seconds: int
    news_items: int
    articles: int
    items: list[ProgrammeItem] = msgspec.field(default_factory=list)
    segments: list[str] = msgspec.field(default_factory=list)
    audio: AudioFile | None = None


class CorrectProgrammeInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    reason: str
    title: str | None = None
    air_date: datetime.date | None = None
    duration_seconds: int | None = None
    news_items: int | None = None
    articles: int | None = None
    items: list[ProgrammeItem] | None = None
    segments: list[str] | None = None
    audio: AudioFile | None = None


class SendProgrammeInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    station_ids: Annotated[list[str], msgspec.Meta(min_length=1, max_length=MAX_STATIONS)]
    due_at: datetime.datetime
    sent_at: datetime.datetime | None = None
    """Default: now."""


class DeliveryStepInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    at: datetime.datetime | None = None
    """When it happened; default: now."""
    reason: str | None = None
    """For a failure: why (required there)."""
    content_hash: str | None = None
    """For a receipt: the hash of the file the station got."""


class ProgrammeCommands(Commands):
    async def record(self, data: RecordProgrammeInput, caller: Caller) -> Accepted:
        programme_id = new_id(caller)

        async def work(tx: Transaction) -> str:
            unit = await unit_by_code(tx.conn, data.unit_code)
            await require_units_within_reach(tx.conn, caller.principal, [unit.unit_id])
            command = RecordProgramme(
                programme_id=programme_id,
                producer=ProducerUnit(unit_id=unit.unit_id, code=unit.code, level=unit.level),
                title=data.title,
                air_date=data.air_date,
                duration_seconds=data.duration_seconds,
                news_items=data.news_items,
                articles=data.articles,
                items=data.items,
                segments=data.segments,
                audio=data.audio,
            )
            stream = programme_stream(programme_id)
            await tx.append(PROGRAMME, stream, 0, PROGRAMME.decide(command, Programme()))
            return stream

        return Accepted(ids=[programme_id], result=await self._run(work, caller))

    async def correct(self, programme_id: str, data: CorrectProgrammeInput, caller: Caller) -> Accepted:
        async def work(tx: Transaction) -> str:
            stream = programme_stream(programme_id)
            programme, version = await tx.load(PROGRAMME, stream)
            if programme.exists:
                await require_units_within_reach(tx.conn, caller.principal, [programme.unit_id])
            command = CorrectProgramme(**msgspec.structs.asdict(data))
            await tx.append(PROGRAMME, stream, version, PROGRAMME.decide(command, programme))
            return stream

        return Accepted(ids=[programme_id], result=await self._run(work, caller))

    async def send(self, programme_id: str, data: SendProgrammeInput, caller: Caller) -> Accepted:
        async def work(tx: Transaction) -> str:
            programme, _ = await tx.load(PROGRAMME, programme_stream(programme_id))
            if not programme.exists:
                raise NotFoundError("no such programme", code="unknown_programme")
            await require_units_within_reach(tx.conn, caller.principal, [programme.unit_id])
            stations = await registry_view.stations(tx.conn, data.station_ids)
            unknown = sorted(set(data.station_ids) - stations.keys())
            if unknown:
                raise NotFoundError("unknown radio station", code="unknown_station", details={"station_ids": unknown})
            closed = sorted(sid for sid, st in stations.items() if st.status == "DECOMMISSIONED")
            if closed:
                raise ConflictError(
                    "the radio station is decommissioned", code="station_decommissioned",
                    details={"station_ids": closed},
                )  # fmt: skip
            outside = set(
                await registry_view.units_outside(tx.conn, [s.unit_id for s in stations.values()], programme.unit_id)
            )
            strays = sorted(sid for sid, st in stations.items() if st.unit_id in outside)
            if strays:
                raise InvalidInputError(
                    "a station is outside the programme's area (its producer unit and the units under it)",
                    code="station_outside_programme_area",
                    details={"station_ids": strays},
                )
            sent_at = data.sent_at or utc_now()
            for station_id in sorted(set(data.station_ids)):  # one order for every writer: no deadlock
                station = stations[station_id]
                command = SendDelivery(
                    programme_id=programme_id,
                    producer_unit_code=programme.unit_code,
                    station_id=station_id,
                    station_unit_code=station.unit_code,
                    station_in_area=station.unit_id not in outside,
                    sent_at=sent_at,
                    due_at=data.due_at,
                )
                await tx.decide(DELIVERY, delivery_stream(programme_id, station_id), command)
            return programme_stream(programme_id)

        return Accepted(ids=list(dict.fromkeys(data.station_ids)), result=await self._run(work, caller))

    async def step(
        self, programme_id: str, station_id: str, step: str, data: DeliveryStepInput, caller: Caller
    ) -> Accepted:
        at = data.at or utc_now()
        command: DeliveryCommand
        if step == "receive":
            command = ReceiveDelivery(received_at=at, content_hash=data.content_hash)
        elif step == "air":
            command = AirDelivery(aired_at=at)
        else:
            command = FailDelivery(failed_at=at, reason=data.reason or "")

        async def work(tx: Transaction) -> str:
            station = (await registry_view.stations(tx.conn, [station_id])).get(station_id)
            if station is not None:
                await require_units_within_reach(tx.conn, caller.principal, [station.unit_id])
            stream = delivery_stream(programme_id, station_id)
            await tx.decide(DELIVERY, stream, command)
            return stream

        return Accepted(ids=[programme_id, station_id], result=await self._run(work, caller))
