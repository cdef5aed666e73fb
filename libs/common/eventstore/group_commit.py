"""Group commit: concurrent single-stream commands stored with one load and one append.

Each command that ``CommandExecutor.execute`` runs on one stream costs two statements and a
commit when run alone (five and a transaction with an idempotency key). Under load most of that is per statement
and per commit, in the service and in PostgreSQL alike, so commands that arrive while
earlier ones are being stored wait in a queue and go together: one query loads every
stream of the batch, each command is decided on its own stream's state, and one statement
appends every stream's events, each checked against the version it was decided on (ADR
0013). Nothing waits for a batch to fill: a batch is whatever queued while the previous
ones were busy, so a lone command goes at once.

Each command keeps its own outcome: a refusal by its decider, or an event that cannot be
encoded, fails that command only; a stream another writer changed meanwhile is that
command's conflict, retried alone as ``execute`` retries; an error of the shared statement
(a racing writer, data PostgreSQL refuses, a deadlock) sends every command of the batch back
to run alone, so one command's bad data never fails another's.

A command with a check (``CommandExecutor.execute(check=…)``: the caller's reach, a lock that
an approval takes) has it run in the batch's transaction, before the streams are loaded: what
the check read and locked holds until the batch commits, as it would for the command alone. A
check that refuses fails its own command; one whose statement fails sends the batch back to
run alone, as any failed statement of a batch does.

A batch with idempotency keys runs in one transaction: the keys are locked without waiting
(a key held elsewhere sends its command to ``CommandExecutor.run``, to wait alone) and
looked up together, a key already used answers its command with the remembered result (or
``IdempotencyKeyReusedError``), and the results of the others are remembered with one
statement beside their events, as ``run`` does for one command.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import asyncpg
import msgspec
from opentelemetry import context as otel_context

from contracts.envelope import Metadata
from libs.common.db import Conn
from libs.common.eventstore.errors import ConcurrencyError
from libs.common.eventstore.idempotency import IdempotencyKey, IdempotencyRecords, remembered
from libs.common.eventstore.results import CommandResult, replayed
from libs.common.eventstore.store import EventRows, EventStore, StreamAppend

if TYPE_CHECKING:
    from libs.common.eventstore.commands import Check, CommandExecutor, Decider
    from libs.common.eventstore.context import CommandContext

Outcome = CommandResult | Exception
"""What a command of a batch gets: its result, or the error it is answered with."""

MAX_BATCH = 64
"""Commands per batch at most: bounds one statement's size and one batch's latency."""


BATCHES_IN_FLIGHT = 1
"""Batches being stored at a time, per pool and schema. One: the next batch gathers while this
one is in PostgreSQL, so batches grow with the load, and the per-statement and per-commit cost
that batching saves is saved most. Measured with 8 HTTP clients (ADR 0013): 1 in flight
did 1,315-1,678 commands/s, 2 did 1,315-1,439, 4 did 1,216, 8 did 1,067."""


class RunAlone(Exception):  # noqa: N818 - a signal to the caller, not an error it reports
    """The batch's shared statement failed: run this command on its own."""


@dataclass(slots=True)
class _Pending:
    executor: CommandExecutor
    decider: Decider[Any, Any]
    stream_id: str
    command: object
    metadata: Metadata | None
    idempotency: IdempotencyKey | None
    ids: Sequence[str]
    context: otel_context.Context
    """The caller's trace context: a batch's Postgres calls are made under its first command's."""
    future: asyncio.Future[CommandResult]
    check: Check | None = None
    caller: CommandContext | None = None
    """Who runs the command: what its check reads (``Transaction.context``)."""

    @property
    def key(self) -> tuple[str, str] | None:
        return None if self.idempotency is None else (self.idempotency.principal, self.idempotency.key)


@dataclass(slots=True)
class _Slot:
    """One drain's place among the batches in flight, given back exactly once."""

    held: bool = True


class GroupCommit:
    """The batching queue of one pool and one store schema, shared by every executor on them."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self.store = EventStore(schema)
        self.records = IdempotencyRecords(schema)
        # Waiting commands by stream, streams in the order they are served: a batch takes the
        # first command of each of the first MAX_BATCH streams, and a stream with more waiting
        # goes to the back, so a crowd on one stream does not hold up the others.
        self._waiting: dict[str, deque[_Pending]] = {}
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(
        self,
        executor: CommandExecutor,
        decider: Decider[Any, Any],
        stream_id: str,
        command: object,
        *,
        metadata: Metadata | None,
        idempotency: IdempotencyKey | None = None,
        ids: Sequence[str] = (),
        check: Check | None = None,
        caller: CommandContext | None = None,
    ) -> CommandResult:
        """Decide ``command`` on ``stream_id`` and append its events in the next batch, after
        ``check`` (run in the batch's transaction, as ``caller``) passed.

        Raises what the decider raises, :class:`IdempotencyKeyReusedError`,
        :class:`ConcurrencyError` when the stream changed after it was loaded, or
        :class:`RunAlone` when the batch's statements failed.
        """
        future: asyncio.Future[CommandResult] = asyncio.get_running_loop().create_future()
        context = otel_context.get_current()
        pending = _Pending(
            executor, decider, stream_id, command, metadata, idempotency, ids, context, future, check, caller
        )
        self._waiting.setdefault(stream_id, deque()).append(pending)
        if self._in_flight < BATCHES_IN_FLIGHT:
            self._start_drain()
        return await future

    def _start_drain(self) -> None:
        slot = _Slot()
        self._in_flight += 1
        task = asyncio.create_task(self._drain(slot))
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._drained(t, slot))

    async def _drain(self, slot: _Slot) -> None:
        try:
            while self._waiting:
                if batch := self._next_batch():
                    await self._store(batch)
        finally:
            # Given back in the same step that found the queue empty, so a command queued
            # after this sees a free slot and starts a drain of its own.
            self._release(slot)

    def _drained(self, task: asyncio.Task[None], slot: _Slot) -> None:
        self._tasks.discard(task)
        self._release(slot)  # a task cancelled before it ran never reached its finally

    def _release(self, slot: _Slot) -> None:
        if slot.held:
            slot.held = False
            self._in_flight -= 1

    def _next_batch(self) -> list[_Pending]:
        """The first waiting command of each stream, up to MAX_BATCH streams: a second command
        on a stream waits for the next batch, so it is decided on the first one's events; so
        does a second command with the same idempotency key, so it finds the first's record."""
        batch: list[_Pending] = []
        keys: set[tuple[str, str]] = set()
        skipped: dict[str, deque[_Pending]] = {}
        for stream_id in list(itertools.islice(self._waiting, MAX_BATCH)):
            queue = self._waiting.pop(stream_id)
            while queue and queue[0].future.done():  # its caller went away (cancelled)
                queue.popleft()
            if not queue:
                continue
            if queue[0].key is not None and queue[0].key in keys:
                skipped[stream_id] = queue
                continue
            pending = queue.popleft()
            batch.append(pending)
            if pending.key is not None:
                keys.add(pending.key)
            if queue:
                self._waiting[stream_id] = queue  # to the back
        if skipped:  # first in line next time, so a key used again and again starves nobody
            self._waiting = {**skipped, **self._waiting}
        return batch

    async def _store(self, batch: list[_Pending]) -> None:
        token = otel_context.attach(batch[0].context)
        try:
            for pending, outcome in await self._run(batch):
                if isinstance(outcome, Exception):
                    _settle(pending.future, exception=outcome)
                else:
                    _settle(pending.future, result=outcome)
        except Exception as exc:  # the database or the pool failed: every command's answer
            for pending in batch:
                _settle(pending.future, exception=exc)
        except BaseException:
            for pending in batch:
                pending.future.cancel()
            raise
        finally:
            otel_context.detach(token)

    async def _run(self, batch: list[_Pending]) -> list[tuple[_Pending, Outcome]]:
        """The batch's outcomes, known only once what they report is committed."""
        async with self.pool.acquire() as conn:
            if all(p.idempotency is None and p.check is None for p in batch):
                # One statement, its own transaction: its failure is told apart per command.
                return await self._load_decide_append(conn, batch, atomic=False)
            # Idempotency records go in the same transaction as the events they remember, and
            # what a check read and locked holds until the events it allowed are committed.
            try:
                async with conn.transaction():
                    return await self._load_decide_append(conn, batch, atomic=True)
            except asyncpg.PostgresError as exc:
                return [(p, RunAlone(str(exc))) for p in batch]

    async def _load_decide_append(
        self, conn: Conn, batch: list[_Pending], *, atomic: bool
    ) -> list[tuple[_Pending, Outcome]]:
        outcomes: list[tuple[_Pending, Outcome]] = []
        fresh = await self._checked(conn, await self._answer_used_keys(conn, batch, outcomes), outcomes)
        loaded = await self.store.load_streams(conn, [p.stream_id for p in fresh]) if fresh else {}
        decided, rows = self._decide(fresh, loaded, outcomes)
        failure: Exception | None = None
        try:
            appended = await self.store.append_rows(conn, rows, atomic=atomic)
        except asyncpg.PostgresError as exc:
            if atomic:
                raise  # the transaction is lost: every command runs alone
            appended = {}
            # With several streams, which command's append failed is unknown (a writer
            # outside this process raced one, or data PostgreSQL refuses): each runs alone.
            # A deadlock's victim is retried alone too, like a conflict.
            alone = len(rows.streams) > 1 or isinstance(exc, asyncpg.DeadlockDetectedError)
            failure = RunAlone(str(exc)) if alone else exc
        records: list[tuple[IdempotencyKey, bytes]] = []
        for pending, version, has_events in decided:
            outcome: Outcome
            if not has_events:
                outcome = CommandResult(
                    ids=list(pending.ids), stream_id=pending.stream_id, version=version, event_ids=[]
                )
            elif failure is not None:
                outcome = failure
            elif pending.stream_id in appended:
                stored = appended[pending.stream_id]
                outcome = CommandResult(
                    ids=list(pending.ids),
                    stream_id=pending.stream_id,
                    version=stored[-1].version,
                    event_ids=[e.event_id for e in stored],
                    position=stored[-1].source_position,
                )
            else:
                outcome = ConcurrencyError(pending.stream_id, version)
            if isinstance(outcome, CommandResult) and pending.idempotency is not None:
                records.append((pending.idempotency, msgspec.json.encode(outcome)))
            outcomes.append((pending, outcome))
        await self.records.save_many(conn, records)
        return outcomes

    async def _answer_used_keys(
        self, conn: Conn, batch: list[_Pending], outcomes: list[tuple[_Pending, Outcome]]
    ) -> list[_Pending]:
        """The commands still to decide; the others' answers go into ``outcomes``."""
        keyed = [p.idempotency for p in batch if p.idempotency is not None]
        if not keyed:
            return batch
        # A key another transaction holds (a request with that key still running): its
        # command waits for it alone, in CommandExecutor.run, not with the whole batch.
        busy = await self.records.try_lock_many(conn, keyed)
        found = await self.records.find_many(conn, keyed)
        fresh: list[_Pending] = []
        for pending in batch:
            if pending.key in busy:
                outcomes.append((pending, RunAlone("its idempotency key is in use")))
            elif pending.idempotency is not None and pending.key in found:
                outcomes.append((pending, _replay(pending.idempotency, *found[pending.key])))
            else:
                fresh.append(pending)
        return fresh

    @staticmethod
    async def _checked(conn: Conn, batch: list[_Pending], outcomes: list[tuple[_Pending, Outcome]]) -> list[_Pending]:
        """The commands whose checks passed (or that have none); a refusal goes into
        ``outcomes``. A failed statement is raised: the transaction is lost for every command."""
        from libs.common.eventstore.commands import Transaction  # noqa: PLC0415 - commands imports this module

        passed: list[_Pending] = []
        for pending in batch:
            if pending.check is not None:
                try:
                    await pending.check(Transaction(pending.executor, conn, pending.metadata, pending.caller))
                except asyncpg.PostgresError:
                    raise
                except Exception as exc:
                    outcomes.append((pending, exc))
                    continue
            passed.append(pending)
        return passed

    @staticmethod
    def _decide(
        batch: list[_Pending], loaded: dict[str, list[Any]], outcomes: list[tuple[_Pending, Outcome]]
    ) -> tuple[list[tuple[_Pending, int, bool]], EventRows]:
        """Each command decided on its stream's state and its events encoded; a command that
        fails either (the decider's refusal, an event that cannot be encoded) fails alone,
        into ``outcomes``."""
        decided: list[tuple[_Pending, int, bool]] = []
        rows = EventRows()
        now = datetime.now(UTC)
        for pending in batch:
            if pending.future.done():  # cancelled while the batch loaded: store nothing for it
                continue
            history = loaded.get(pending.stream_id, [])
            version = history[-1].version if history else 0
            try:
                state = pending.decider.fold([pending.executor.decode(e) for e in history])
                events = pending.decider.decide(pending.command, state)
                if events:
                    rows.add(
                        StreamAppend(pending.stream_id, pending.decider.stream_type, version, events, pending.metadata),
                        now,
                    )
            except Exception as exc:
                outcomes.append((pending, exc))
                continue
            decided.append((pending, version, bool(events)))
        return decided, rows


def _replay(key: IdempotencyKey, request_hash: str, result: bytes) -> Outcome:
    try:
        return replayed(remembered(key, request_hash, result))
    except Exception as exc:  # IdempotencyKeyReusedError: the key was used for another request
        return exc


def _settle(
    future: asyncio.Future[CommandResult],
    *,
    result: CommandResult | None = None,
    exception: BaseException | None = None,
) -> None:
    if future.done():  # cancelled by its caller while the batch ran
        return
    if exception is not None:
        future.set_exception(exception)
    else:
        assert result is not None
        future.set_result(result)


_queues: dict[int, tuple[asyncpg.Pool, dict[str, GroupCommit]]] = {}


def group_commit(pool: asyncpg.Pool, schema: str) -> GroupCommit:
    """The queue of ``pool`` and ``schema``: services make an executor per request, and a batch
    can only gather commands that share the queue. (asyncpg pools take no weak references, so
    the queues of closed pools are dropped here when a new pool appears.)"""
    entry = _queues.get(id(pool))
    if entry is None or entry[0] is not pool:
        for key in [k for k, (p, _) in _queues.items() if p.is_closing()]:
            del _queues[key]
        entry = (pool, {})
        _queues[id(pool)] = entry
    queues = entry[1]
    if schema not in queues:
        queues[schema] = GroupCommit(pool, schema)
    return queues[schema]
