"""Bulletins received from the source-information system (2455/BTTTT-TTCS, ADR 0054) become
programmes, and the results of their distribution are read back by their sender.

A bulletin is recorded with the programme it becomes in one transaction, by the programme's own
decider: the same rules as a programme a district centre records, and then the same commands
(correct, send, deliveries' steps) distribute it.
"""

from __future__ import annotations

import asyncpg

from contracts.api.source_link import MAX_RESULTS_PAGE, ReceiveBulletinBody, SourceResultPage
from contracts.base import Event
from contracts.broadcast_events import SourceBulletinReceived
from libs.common.errors import InvalidInputError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from libs.common.eventstore.decider import NewEvent
from libs.common.principal import Principal
from services.broadcast.adapters import source_bulletins, source_results
from services.broadcast.application.programmes import recording
from services.broadcast.application.units import known_unit
from services.broadcast.domain.approval import Submit
from services.broadcast.domain.period import utc_now
from services.broadcast.domain.programmes import PROGRAMME, Programme, RecordProgramme, programme_stream
from services.broadcast.domain.source_bulletins import (
    SOURCE_BULLETIN,
    ReceiveBulletin,
    body_hash,
    bulletin_stream,
    programme_id_of,
)


def sender_of(principal: Principal | None) -> str:
    """Who sent it: the caller's partner (each source system has its own key), else its subject."""
    if principal is None:
        return "tinhso"
    return principal.partner or principal.subject


def submitted(record: RecordProgramme, sender: str, bulletin_id: str) -> list[Event | NewEvent]:
    """The programme a bulletin becomes, recorded and submitted for approval in one: the sender
    is no approver, and its bulletin waits for the producer unit's (ADR 0052, ADR 0054)."""
    recorded = PROGRAMME.decide(record, Programme())
    step = Submit(at=utc_now(), by=f"source:{sender}", note=f"bulletin {bulletin_id} from {sender}")
    state = PROGRAMME.fold([e for e in recorded if isinstance(e, Event)])
    return [*recorded, *PROGRAMME.decide(step, state)]


class SourceBulletinHandlers:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def receive(self, cmd: ReceiveBulletinBody, ctx: CommandContext) -> CommandResult:
        """``ids``: the programme. Sent again with the same body: the same answer, nothing new."""
        sender = sender_of(ctx.principal)
        programme_id = programme_id_of(sender, cmd.bulletin_id)

        async def work(tx: Transaction) -> str:
            stream = bulletin_stream(sender, cmd.bulletin_id)
            bulletin, version = await tx.load(SOURCE_BULLETIN, stream)
            command = ReceiveBulletin(
                sender=sender,
                bulletin_id=cmd.bulletin_id,
                programme_id=programme_id,
                unit_code=cmd.unit_code,
                priority=cmd.priority,
                body_hash=body_hash(cmd),
                received_at=utc_now(),
                issued_at=cmd.issued_at,
            )
            received = SOURCE_BULLETIN.decide(command, bulletin)
            if not received:
                return stream
            unit = await known_unit(tx, cmd.unit_code)
            record = recording(programme_id, unit, cmd)
            await tx.append(PROGRAMME, programme_stream(programme_id), 0, submitted(record, sender, cmd.bulletin_id))
            await tx.append(SOURCE_BULLETIN, stream, version, received)
            for event in received:
                if isinstance(event, SourceBulletinReceived):
                    await source_bulletins.record(tx.conn, event)
            return stream

        return await self.executor.run(work, context=ctx, request=cmd, ids=[programme_id])


class SourceResultQueries:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def results(self, principal: Principal | None, since: int, first: int) -> SourceResultPage:
        """The caller's bulletins' results after ``since`` (an admin's: every sender's)."""
        if since < 0:
            raise InvalidInputError("since is a sequence number, 0 or more", code="invalid_since")
        if not 1 <= first <= MAX_RESULTS_PAGE:
            raise InvalidInputError(f"first must be between 1 and {MAX_RESULTS_PAGE}", code="invalid_first")
        sender = None if principal is not None and principal.is_admin else sender_of(principal)
        async with self.pool.acquire() as conn:
            return await source_results.page(conn, sender, since, first)
