"""Programmes, their content approval and their distribution to commune stations: one handler
per command.

``record`` is the one way a programme is created, whoever creates it (a partner through the
gateway, the demo seed, a link to the source-information system): it takes the body and the
caller's context, and the caller's rights decide whether the programme starts as a draft or
approved (``application/approvers.py``, ADR 0052).
"""

from __future__ import annotations

import msgspec

from contracts.api.broadcast import (
    ApproveProgrammeBody,
    CorrectProgrammeBody,
    DeliveryStepBody,
    RecordProgrammeBody,
    RejectProgrammeBody,
    SendProgrammeBody,
    SubmitProgrammeBody,
)
from contracts.api.source_link import ReceiveBulletinBody
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from libs.common.reach import units_outside
from services.broadcast.adapters import registry_view
from services.broadcast.adapters.registry_view import UnitRow
from services.broadcast.application.approvers import actor, may_approve, require_approver
from services.broadcast.application.units import known_unit, within_reach
from services.broadcast.domain.approval import ApprovalCommand, Approve, Distribute, Reject, Submit
from services.broadcast.domain.deliveries import (
    DELIVERY,
    AirDelivery,
    DeliveryCommand,
    FailDelivery,
    ReceiveDelivery,
    SendDelivery,
    delivery_stream,
)
from services.broadcast.domain.period import utc_now
from services.broadcast.domain.programmes import (
    PROGRAMME,
    ProducerUnit,
    Programme,
    RecordProgramme,
    programme_stream,
)


class CorrectProgrammeInput(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str
    body: CorrectProgrammeBody


class SendProgrammeInput(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str
    body: SendProgrammeBody


class SubmitProgrammeInput(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str
    body: SubmitProgrammeBody


class ApproveProgrammeInput(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str
    body: ApproveProgrammeBody


class RejectProgrammeInput(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str
    body: RejectProgrammeBody


class DeliveryStepInput(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str
    station_id: str
    body: DeliveryStepBody


def recording(
    programme_id: str, unit: UnitRow, body: RecordProgrammeBody | ReceiveBulletinBody, approved: Approve | None = None
) -> RecordProgramme:
    """The command recording ``body`` as a programme of ``unit``: a caller's, or a bulletin of
    the source-information system (``application.source_bulletins``)."""
    return RecordProgramme(
        programme_id=programme_id,
        producer=ProducerUnit(unit_id=unit.unit_id, code=unit.code, level=unit.level),
        title=body.title,
        air_date=body.air_date,
        duration_seconds=body.duration_seconds,
        news_items=body.news_items,
        articles=body.articles,
        items=body.items,
        segments=body.segments,
        audio=body.audio,
        priority=body.priority,
        approved=approved,
    )


class ProgrammeHandlers:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def record(self, cmd: RecordProgrammeBody, ctx: CommandContext) -> CommandResult:
        [programme_id] = ctx.new_ids()

        async def work(tx: Transaction) -> str:
            unit = await known_unit(tx, cmd.unit_code)
            approves = not cmd.draft and await may_approve(tx, unit.unit_id)
            approved = Approve(at=utc_now(), by=actor(ctx)) if approves else None
            command = recording(programme_id, unit, cmd, approved)
            stream = programme_stream(programme_id)
            await tx.append(PROGRAMME, stream, 0, PROGRAMME.decide(command, Programme()))
            return stream

        return await self.executor.run(work, context=ctx, request=cmd, ids=[programme_id])

    async def correct(self, cmd: CorrectProgrammeInput, ctx: CommandContext) -> CommandResult:
        async def work(tx: Transaction) -> str:
            stream = programme_stream(cmd.programme_id)
            programme, version = await tx.load(PROGRAMME, stream)
            if programme.exists:
                await within_reach(tx, [programme.unit_id])
            command = cmd.body
            await tx.append(PROGRAMME, stream, version, PROGRAMME.decide(command, programme))
            return stream

        return await self.executor.run(work, context=ctx, request=cmd, ids=[cmd.programme_id])

    async def submit(self, cmd: SubmitProgrammeInput, ctx: CommandContext) -> CommandResult:
        step = Submit(at=utc_now(), by=actor(ctx), note=cmd.body.note)
        return await self._approval(cmd.programme_id, step, cmd, ctx, approving=False)

    async def approve(self, cmd: ApproveProgrammeInput, ctx: CommandContext) -> CommandResult:
        step = Approve(at=utc_now(), by=actor(ctx), note=cmd.body.note)
        return await self._approval(cmd.programme_id, step, cmd, ctx, approving=True)

    async def reject(self, cmd: RejectProgrammeInput, ctx: CommandContext) -> CommandResult:
        step = Reject(at=utc_now(), by=actor(ctx), reason=cmd.body.reason)
        return await self._approval(cmd.programme_id, step, cmd, ctx, approving=True)

    async def _approval(
        self, programme_id: str, step: ApprovalCommand, request: object, ctx: CommandContext, *, approving: bool
    ) -> CommandResult:
        async def work(tx: Transaction) -> str:
            stream = programme_stream(programme_id)
            programme, version = await tx.load(PROGRAMME, stream)
            if programme.exists:
                if approving:
                    await require_approver(tx, programme_id, programme.unit_id)
                else:
                    await within_reach(tx, [programme.unit_id])
            await tx.append(PROGRAMME, stream, version, PROGRAMME.decide(step, programme))
            return stream

        return await self.executor.run(work, context=ctx, request=request, ids=[programme_id])

    async def send(self, cmd: SendProgrammeInput, ctx: CommandContext) -> CommandResult:
        programme_id, body = cmd.programme_id, cmd.body

        async def work(tx: Transaction) -> str:
            programme, version = await tx.load(PROGRAMME, programme_stream(programme_id))
            if not programme.exists:
                raise NotFoundError("no such programme", code="unknown_programme")
            await within_reach(tx, [programme.unit_id])
            # Only approved content reaches the stations; its first send marks it distributed.
            distributed = PROGRAMME.decide(Distribute(at=body.sent_at or utc_now(), by=actor(ctx)), programme)
            stations = await registry_view.stations(tx.conn, body.station_ids)
            unknown = sorted(set(body.station_ids) - stations.keys())
            if unknown:
                raise NotFoundError("unknown radio station", code="unknown_station", details={"station_ids": unknown})
            closed = sorted(sid for sid, st in stations.items() if st.status == "DECOMMISSIONED")
            if closed:
                raise ConflictError(
                    "the radio station is decommissioned", code="station_decommissioned",
                    details={"station_ids": closed},
                )  # fmt: skip
            # The programme's area is its producer unit and the units under it: the same walk
            # as the caller's reach, from the producer.
            area_units = [s.unit_id for s in stations.values()]
            outside = set(await units_outside(tx.conn, registry_view.TREE, programme.unit_id, area_units))
            strays = sorted(sid for sid, st in stations.items() if st.unit_id in outside)
            if strays:
                raise InvalidInputError(
                    "a station is outside the programme's area (its producer unit and the units under it)",
                    code="station_outside_programme_area",
                    details={"station_ids": strays},
                )
            sent_at = body.sent_at or utc_now()
            for station_id in sorted(set(body.station_ids)):  # one order for every writer: no deadlock
                station = stations[station_id]
                command = SendDelivery(
                    programme_id=programme_id,
                    producer_unit_code=programme.unit_code,
                    station_id=station_id,
                    station_unit_code=station.unit_code,
                    station_in_area=station.unit_id not in outside,
                    sent_at=sent_at,
                    due_at=body.due_at,
                    priority=programme.priority,
                )
                await tx.decide(DELIVERY, delivery_stream(programme_id, station_id), command)
            if distributed:
                await tx.append(PROGRAMME, programme_stream(programme_id), version, distributed)
            return programme_stream(programme_id)

        ids = [programme_id, *dict.fromkeys(body.station_ids)]
        return await self.executor.run(work, context=ctx, request=cmd, ids=ids)

    async def receive(self, cmd: DeliveryStepInput, ctx: CommandContext) -> CommandResult:
        at = cmd.body.at or utc_now()
        return await self._step(cmd, ReceiveDelivery(received_at=at, content_hash=cmd.body.content_hash), ctx)

    async def air(self, cmd: DeliveryStepInput, ctx: CommandContext) -> CommandResult:
        return await self._step(cmd, AirDelivery(aired_at=cmd.body.at or utc_now()), ctx)

    async def fail(self, cmd: DeliveryStepInput, ctx: CommandContext) -> CommandResult:
        at = cmd.body.at or utc_now()
        return await self._step(cmd, FailDelivery(failed_at=at, reason=cmd.body.reason or ""), ctx)

    async def _step(self, cmd: DeliveryStepInput, command: DeliveryCommand, ctx: CommandContext) -> CommandResult:
        async def station_within_reach(tx: Transaction) -> None:
            station = (await registry_view.stations(tx.conn, [cmd.station_id])).get(cmd.station_id)
            if station is not None:
                await within_reach(tx, [station.unit_id])

        stream = delivery_stream(cmd.programme_id, cmd.station_id)
        return await self.executor.execute(
            DELIVERY,
            stream,
            command,
            context=ctx,
            request=cmd,
            ids=[cmd.programme_id, cmd.station_id],
            check=station_within_reach,
        )
