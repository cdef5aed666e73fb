"""Load -> fold -> decide -> append, in one transaction, retried on a concurrency conflict.

A service describes an aggregate as a :class:`Decider` of pure functions; this module is the
only place that turns a command into stored events, so every command path gets the same
version check, idempotency and retry behaviour.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

import asyncpg
import msgspec

from contracts.base import Event
from contracts.catalogue import EventCatalogue
from contracts.envelope import Envelope, Metadata
from libs.common.db import Conn
from libs.common.eventstore.context import CommandContext
from libs.common.eventstore.decider import Decider, NewEvent
from libs.common.eventstore.errors import ConcurrencyError
from libs.common.eventstore.group_commit import RunAlone, group_commit
from libs.common.eventstore.idempotency import IdempotencyKey, IdempotencyRecords
from libs.common.eventstore.item_keys import ItemKeys
from libs.common.eventstore.results import CommandResult, replayed
from libs.common.eventstore.store import EventRows, EventStore, StreamAppend

__all__ = ["Check", "CommandContext", "CommandExecutor", "CommandResult", "Decider", "Transaction", "Work"]

C = TypeVar("C")
S = TypeVar("S")


class Transaction:
    """One command's database transaction: load aggregates, decide, append, possibly to
    several streams (a merge touches every merged unit); all or nothing."""

    def __init__(
        self, executor: CommandExecutor, conn: Conn, metadata: Metadata | None, context: CommandContext | None = None
    ) -> None:
        self.executor = executor
        self.conn = conn
        self.metadata = metadata
        self.context = context or CommandContext(metadata=metadata)
        """Who runs the command: ownership checks read the caller from here, on ``conn``."""
        self.appended: list[Envelope] = []

    async def load(self, decider: Decider[C, S], stream_id: str) -> tuple[S, int]:
        history = await self.executor.store.load(self.conn, stream_id)
        state = decider.fold([self.executor.decode(e) for e in history])
        return state, history[-1].version if history else 0

    async def decide(self, decider: Decider[C, S], stream_id: str, command: C) -> list[Envelope]:
        state, version = await self.load(decider, stream_id)
        return await self.append(decider, stream_id, version, decider.decide(command, state))

    async def append(
        self, decider: Decider[C, S], stream_id: str, version: int, events: Sequence[Event | NewEvent]
    ) -> list[Envelope]:
        appended = await self.executor.store.append(
            self.conn, stream_id, decider.stream_type, version, events, metadata=self.metadata
        )
        self.appended.extend(appended)
        return appended

    async def append_streams(
        self, decider: Decider[C, S], appends: Sequence[tuple[str, int, Sequence[Event | NewEvent]]]
    ) -> dict[str, list[Envelope]]:
        """Append to many streams of one aggregate type with one statement: (stream id, version
        it was decided on, events) each; :class:`ConcurrencyError` if any stream moved meanwhile.
        A bulk batch's thousand new sessions are one round trip, not a thousand."""
        rows = EventRows()
        now = datetime.now(UTC)
        for stream_id, version, events in appends:
            if events:
                rows.add(StreamAppend(stream_id, decider.stream_type, version, events, self.metadata), now)
        appended = await self.executor.store.append_rows(self.conn, rows, atomic=True)
        if missing := rows.streams - appended.keys():
            stream_id = min(missing)
            raise ConcurrencyError(stream_id, next(v for s, v, _ in appends if s == stream_id))
        for envelopes in appended.values():
            self.appended.extend(envelopes)
        return appended


Work = Callable[[Transaction], Awaitable[str]]
"""A multi-stream command: does its work in the transaction, returns the main stream id."""

Check = Callable[[Transaction], Awaitable[None]]
"""An ownership check a single-stream command runs in its transaction before it decides
(``libs.common.reach.require_within`` on ``tx.conn``, for instance); it raises to refuse."""


class CommandExecutor:
    def __init__(self, pool: asyncpg.Pool, schema: str, catalogue: EventCatalogue, *, batched: bool = True) -> None:
        """``batched``: single-stream commands (``execute``) go through the pool's group commit
        (``group_commit.py``); ``False`` runs each on its own."""
        self.pool = pool
        self.store = EventStore(schema)
        self.catalogue = catalogue
        self.idempotency = IdempotencyRecords(schema)
        self.item_keys = ItemKeys(schema)
        """Bulk batches' per-item records (``item_batch.py``)."""
        self.batched = batched

    async def execute(
        self,
        decider: Decider[C, S],
        stream_id: str,
        command: C,
        *,
        context: CommandContext | None = None,
        request: object = None,
        ids: Sequence[str] = (),
        check: Check | None = None,
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
        retries: int = 3,
    ) -> CommandResult:
        """Load one stream, decide, append.

        ``context`` gives the metadata and, with ``request`` (the command's typed input), the
        idempotency key; ``ids`` are what the result names. A ``check`` runs in the command's
        transaction before it decides: the group commit's, or its own when it runs alone.
        """
        metadata, idempotency = _from_context(context, request, metadata, idempotency)
        if self.batched:
            try:
                return await group_commit(self.pool, self.store.schema).submit(
                    self,
                    decider,
                    stream_id,
                    command,
                    metadata=metadata,
                    idempotency=idempotency,
                    ids=ids,
                    check=check,
                    caller=context,
                )
            except ConcurrencyError:
                if retries < 1:
                    raise
                retries -= 1
            except RunAlone:
                pass
        if check is not None:

            async def checked(tx: Transaction) -> str:
                await check(tx)
                await tx.decide(decider, stream_id, command)
                return stream_id

            return await self.run(
                checked, context=context, metadata=metadata, idempotency=idempotency, ids=ids, retries=retries
            )
        if idempotency is None:
            return await self._retrying(lambda: self._single(decider, stream_id, command, metadata, ids), retries, None)

        async def work(tx: Transaction) -> str:
            await tx.decide(decider, stream_id, command)
            return stream_id

        return await self.run(work, metadata=metadata, idempotency=idempotency, ids=ids, retries=retries)

    async def _single(
        self, decider: Decider[C, S], stream_id: str, command: C, metadata: Metadata | None, ids: Sequence[str]
    ) -> CommandResult:
        """One stream, nothing else to record: no transaction needed. The append is one
        statement that checks the version it was decided on, so a writer in between makes it
        fail with a conflict (and a retry) rather than interleave."""
        async with self.pool.acquire() as conn:
            tx = Transaction(self, conn, metadata)
            appended = await tx.decide(decider, stream_id, command)
            version = appended[-1].version if appended else await self.store.current_version(conn, stream_id)
            return CommandResult(
                ids=list(ids),
                stream_id=stream_id,
                version=version,
                event_ids=[e.event_id for e in appended],
                position=appended[-1].source_position if appended else None,
            )

    async def run(
        self,
        work: Work,
        *,
        context: CommandContext | None = None,
        request: object = None,
        ids: Sequence[str] = (),
        metadata: Metadata | None = None,
        idempotency: IdempotencyKey | None = None,
        retries: int = 3,
        versioned: bool = True,
    ) -> CommandResult:
        """Run ``work`` in one transaction, retried from scratch on a concurrency conflict;
        ``context``, ``request`` and ``ids`` as for :meth:`execute`. ``versioned=False``: the
        caller has no use for the result's version when ``work`` appended nothing to the
        stream it returns (a batch answers per item), so it is not looked up (version 0)."""
        metadata, idempotency = _from_context(context, request, metadata, idempotency)
        context = context or CommandContext(metadata=metadata)
        return await self._retrying(
            lambda: self._once(work, context, metadata, idempotency, ids, versioned=versioned), retries, idempotency
        )

    async def _retrying(
        self, attempt_once: Callable[[], Awaitable[CommandResult]], retries: int, idempotency: IdempotencyKey | None
    ) -> CommandResult:
        attempt = 0
        while True:
            try:
                return await attempt_once()
            except (ConcurrencyError, asyncpg.DeadlockDetectedError):
                # A deadlock's victim was rolled back whole: running it again is safe.
                attempt += 1
                if attempt > retries:
                    raise
            except asyncpg.UniqueViolationError as exc:
                # Two requests with one idempotency key raced: the loser retries and finds
                # the winner's record.
                if idempotency is None or exc.table_name != "idempotency_keys":
                    raise
                attempt += 1
                if attempt > retries:
                    raise
            await asyncio.sleep(random.uniform(0, 0.005 * attempt))  # noqa: S311 - jitter, not crypto

    async def _once(
        self,
        work: Work,
        context: CommandContext,
        metadata: Metadata | None,
        idempotency: IdempotencyKey | None,
        ids: Sequence[str],
        *,
        versioned: bool = True,
    ) -> CommandResult:
        async with self.pool.acquire() as conn, conn.transaction():
            if idempotency is not None:
                # A client that retries while its first request still runs: the retry waits here,
                # then finds the first one's record, instead of racing it into a conflict.
                await self.idempotency.lock(conn, idempotency)
                remembered = await self.idempotency.find(conn, idempotency)
                if remembered is not None:
                    return replayed(remembered)
            tx = Transaction(self, conn, metadata, context)
            main_stream = await work(tx)
            main = [e for e in tx.appended if e.stream_id == main_stream]
            if main:
                version = main[-1].version
            else:
                version = await self.store.current_version(conn, main_stream) if versioned else 0
            result = CommandResult(
                ids=list(ids),
                stream_id=main_stream,
                version=version,
                event_ids=[e.event_id for e in tx.appended],
                position=main[-1].source_position if main else None,
            )
            if idempotency is not None:
                await self.idempotency.save(conn, idempotency, msgspec.json.encode(result))
            return result

    def decode(self, envelope: Envelope) -> Event:
        return self.catalogue.decode(envelope.type, envelope.schema_version, envelope.data)


def _from_context(
    context: CommandContext | None,
    request: object,
    metadata: Metadata | None,
    idempotency: IdempotencyKey | None,
) -> tuple[Metadata | None, IdempotencyKey | None]:
    """The envelope's metadata and the idempotency key: given outright, or from the context."""
    if context is None:
        return metadata, idempotency
    return metadata or context.metadata, idempotency or context.idempotency(request)
