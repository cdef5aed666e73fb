"""Incidents handled: acknowledge, assign, annotate and resolve an incident; the overdue watch's
round. One handler per command.

Who may take a step is decided here, in the command's transaction (docs/services/broadcast.md):
a caller confined to a unit (a district centre, a commune) handles the incidents of its unit and
the units under it, or one assigned to its unit; an operator's caller (``organisation``) only
those assigned to that operator, and never assigns; the province's callers and admins, all.
"""

from __future__ import annotations

import datetime

import msgspec

from contracts.api.broadcast import AcknowledgeIncidentBody, AssignIncidentBody, IncidentNoteBody, ResolveIncidentBody
from contracts.broadcast_events import AssigneeKind
from libs.common.errors import ForbiddenError, InvalidInputError, NotFoundError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.broadcast.adapters import incident_index, registry_view
from services.broadcast.application.units import within_reach
from services.broadcast.domain.incidents import (
    INCIDENT,
    Acknowledge,
    AddNote,
    Assign,
    Incident,
    IncidentCommand,
    OpenedIncident,
    RaiseOverdue,
    Resolve,
    incident_stream,
)
from services.broadcast.domain.period import utc_now

ASSIGNABLE_LEVELS = ("district", "commune")
SYSTEM_ACTOR = "system"


class AcknowledgeIncidentInput(msgspec.Struct, frozen=True, kw_only=True):
    incident_id: str
    body: AcknowledgeIncidentBody


class AssignIncidentInput(msgspec.Struct, frozen=True, kw_only=True):
    incident_id: str
    body: AssignIncidentBody


class IncidentNoteInput(msgspec.Struct, frozen=True, kw_only=True):
    incident_id: str
    body: IncidentNoteBody


class ResolveIncidentInput(msgspec.Struct, frozen=True, kw_only=True):
    incident_id: str
    body: ResolveIncidentBody


class WatchOverdue(msgspec.Struct, frozen=True, kw_only=True):
    """The overdue watch's round: alert on incidents unacknowledged ``deadline_minutes`` after
    they opened, at most ``limit``."""

    now: datetime.datetime
    deadline_minutes: float
    limit: int = 200


Step = Acknowledge | Assign | AddNote | Resolve


def _actor(ctx: CommandContext) -> str:
    return ctx.principal.subject if ctx.principal is not None else SYSTEM_ACTOR


async def _may_handle(tx: Transaction, opened: OpenedIncident, incident: Incident, *, assigning: bool) -> None:
    """Refuse (403) a caller the incident is not for; see the module's docstring."""
    ctx = tx.context
    operator = ctx.organisation
    if operator is not None:
        if assigning:
            raise ForbiddenError("an operator does not assign incidents", code="operator_cannot_assign")
        if (incident.assignee_kind, incident.assignee_code) != ("operator", operator):
            raise ForbiddenError(
                "the incident is not assigned to your organisation", code="incident_not_assigned_to_you",
                details={"incident_id": opened.incident_id, "organisation": operator},
            )  # fmt: skip
        return
    own = ctx.unit_code
    if own is None or (incident.assignee_kind, incident.assignee_code) == ("unit", own):
        return
    unit = await registry_view.unit_by_code(tx.conn, opened.unit_code)
    await within_reach(tx, [unit.unit_id] if unit else [])


async def _known_assignee(tx: Transaction, kind: AssigneeKind, code: str) -> str:
    code = code.strip()
    if kind == "operator":
        if not await registry_view.operator_exists(tx.conn, code):
            raise NotFoundError(
                f"no operator with code {code}", code="unknown_assignee", details={"assignee_code": code}
            )
        return code
    unit = await registry_view.unit_by_code(tx.conn, code)
    if unit is None:
        raise NotFoundError(f"no unit with code {code}", code="unknown_assignee", details={"assignee_code": code})
    if unit.level not in ASSIGNABLE_LEVELS:
        raise InvalidInputError(
            "an incident is assigned to a district centre, a commune or an operator",
            code="invalid_assignee", details={"assignee_code": code, "level": unit.level},
        )  # fmt: skip
    await within_reach(tx, [unit.unit_id])  # a district hands its incidents only to its own communes
    return unit.code


class IncidentHandlers:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def _step(self, incident_id: str, ctx: CommandContext, request: object, step: Step) -> CommandResult:
        async def work(tx: Transaction) -> str:
            stream = incident_stream(incident_id)
            opened = await incident_index.opened(tx.conn, incident_id)
            incident, version = await tx.load(INCIDENT, stream)
            decided = step
            if opened is not None:
                await _may_handle(tx, opened, incident, assigning=isinstance(step, Assign))
                if isinstance(step, Assign):
                    code = await _known_assignee(tx, step.assignee_kind, step.assignee_code)
                    decided = msgspec.structs.replace(step, assignee_code=code)
            events = INCIDENT.decide(IncidentCommand(incident=opened, step=decided), incident)
            await tx.append(INCIDENT, stream, version, events)
            await incident_index.record(tx.conn, events)
            return stream

        return await self.executor.run(work, context=ctx, request=request, ids=[incident_id])

    async def acknowledge(self, cmd: AcknowledgeIncidentInput, ctx: CommandContext) -> CommandResult:
        step = Acknowledge(at=utc_now(), by=_actor(ctx), note=cmd.body.note)
        return await self._step(cmd.incident_id, ctx, cmd, step)

    async def assign(self, cmd: AssignIncidentInput, ctx: CommandContext) -> CommandResult:
        body = cmd.body
        step = Assign(
            assignee_kind=body.assignee_kind, assignee_code=body.assignee_code, at=utc_now(), by=_actor(ctx),
            note=body.note,
        )  # fmt: skip
        return await self._step(cmd.incident_id, ctx, cmd, step)

    async def add_note(self, cmd: IncidentNoteInput, ctx: CommandContext) -> CommandResult:
        return await self._step(cmd.incident_id, ctx, cmd, AddNote(note=cmd.body.note, at=utc_now(), by=_actor(ctx)))

    async def resolve(self, cmd: ResolveIncidentInput, ctx: CommandContext) -> CommandResult:
        step = Resolve(cause=cmd.body.cause, at=utc_now(), by=_actor(ctx), note=cmd.body.note)
        return await self._step(cmd.incident_id, ctx, cmd, step)

    async def raise_overdue(self, cmd: WatchOverdue, ctx: CommandContext) -> CommandResult:
        """Names the incidents it raised an alert for. The raised alert and the index's mark
        commit together, so a restart neither loses one nor raises it twice."""
        raised: list[str] = []

        async def work(tx: Transaction) -> str:
            due = await incident_index.lock_overdue(
                tx.conn, cmd.now - datetime.timedelta(minutes=cmd.deadline_minutes), cmd.limit
            )
            raised.clear()
            for opened in due:
                stream = incident_stream(opened.incident_id)
                incident, version = await tx.load(INCIDENT, stream)
                step = RaiseOverdue(deadline_minutes=cmd.deadline_minutes, at=cmd.now)
                events = INCIDENT.decide(IncidentCommand(incident=opened, step=step), incident)
                await tx.append(INCIDENT, stream, version, events)
                await incident_index.record(tx.conn, events)
                if events:
                    raised.append(opened.incident_id)
            return "incident-overdue-watch"

        return await self.executor.run(work, context=ctx, ids=raised)
