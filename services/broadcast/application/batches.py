"""Bulk batches of signal reports and relay sessions: each item its own command, with its own
key and its own result, the whole batch stored in one transaction (ADR 0040); and of delivery
steps, each item run as the step's own command inside the service (ADR 0046).

Unlike ``POST /commands/signal/report`` and ``/relay-sessions/record`` (all or nothing, for a
station's own log), an item that breaks a rule (an unknown or decommissioned cluster or station,
a unit outside the caller's, a session that overlaps another) is rejected alone, with its code,
and the others go on. The batch costs a fixed number of round trips, whatever its size: the
read-model look-ups, the key look-up and claim, and one append for every stream.
"""

from __future__ import annotations

import bisect
import datetime
from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

import asyncpg
import msgspec

from contracts.api.batches import (
    BatchResult,
    DeliveryStepBatch,
    DeliveryStepItem,
    RelaySessionBatch,
    RelaySessionItem,
    SignalReportBatch,
    SignalReportItem,
)
from contracts.api.broadcast import DeliveryStepBody
from libs.common.errors import ConflictError, DomainError, InvalidInputError, NotFoundError, outside_own_unit
from libs.common.eventstore.commands import CommandExecutor, Transaction
from libs.common.eventstore.context import CommandContext
from libs.common.eventstore.errors import ConcurrencyError
from libs.common.eventstore.item_batch import Item, ItemBatch
from libs.common.eventstore.item_commands import each_item
from libs.common.eventstore.results import CommandResult
from libs.common.reach import units_outside
from services.broadcast.adapters import registry_view, relay_clashes, relay_index, signal_state
from services.broadcast.adapters.registry_view import TREE
from services.broadcast.application.programmes import DeliveryStepInput, ProgrammeHandlers
from services.broadcast.domain.common import aware
from services.broadcast.domain.period import utc_now
from services.broadcast.domain.relays import (
    RELAY_SESSION,
    RecordSession,
    RelaySession,
    checked_interval,
    session_stream,
)
from services.broadcast.domain.signal import CLUSTER_SIGNAL, ClusterSignal, Observation, observe, signal_stream

B = TypeVar("B", bound=msgspec.Struct)

STEP_PATHS = {"received": "receive", "aired": "air", "failed": "fail"}
"""A delivery step's command, as the last part of its path."""


class BatchHandlers:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor
        self.programmes = ProgrammeHandlers(executor)

    async def record_delivery_steps(self, cmd: DeliveryStepBatch, ctx: CommandContext) -> BatchResult:
        """Every step its own ``receive``, ``air`` or ``fail`` (ADR 0046), with its own key; the
        steps of one delivery in the request's order."""
        steps = {"received": self.programmes.receive, "aired": self.programmes.air, "failed": self.programmes.fail}

        def step_input(item: DeliveryStepItem) -> DeliveryStepInput:
            body = DeliveryStepBody(at=item.at, reason=item.reason, content_hash=item.content_hash)
            return DeliveryStepInput(programme_id=item.programme_id, station_id=item.station_id, body=body)

        async def run(item: DeliveryStepItem, own: CommandContext) -> CommandResult:
            return await steps[item.step](step_input(item), own)

        return await each_item(
            "delivery",
            cmd.items,
            ctx,
            run,
            executor=self.executor,
            request=step_input,
            lane=lambda d: (d.programme_id, d.station_id),
            path=lambda d: f"/commands/deliveries/{d.programme_id}/{d.station_id}/{STEP_PATHS[d.step]}",
        )

    async def report_signals(self, cmd: SignalReportBatch, ctx: CommandContext) -> BatchResult:
        received_at = utc_now()
        # What needs no database is done before the transaction: it holds the clusters' rows
        # locked against the next batch naming them until it commits.
        prepared = ItemBatch("signal", cmd.items, ctx, self.executor.item_keys)
        observed_at, errors = _observed_at(prepared.pending)
        prepared.reject_where(errors)
        outcome: list[tuple[ItemBatch[SignalReportItem], dict[int, list[str]]]] = []

        async def work(tx: Transaction) -> str:
            batch = prepared.attempt()
            known = await registry_view.clusters(tx.conn, list({i.body.cluster_id for i in batch.pending}))
            reach = await _reach(tx, [row.unit_id for row in known.values() if row.unit_id])
            refusal = {c: _cluster_refusal(c, known, reach) for c in {i.body.cluster_id for i in batch.pending}}
            await batch.refuse(tx.conn, {i.index: e for i in batch.pending if (e := refusal[i.body.cluster_id])})
            named = {c: [c] for c in refusal}
            ids = {i.index: named[i.body.cluster_id] for i in batch.pending}
            await batch.claim_free(tx.conn, ids)
            by_cluster: dict[str, list[Observation]] = defaultdict(list)
            for item in batch.pending:
                by_cluster[item.body.cluster_id].append(
                    Observation(kind=item.body.kind, observed_at=observed_at[item.index])
                )
            if by_cluster:
                seeds = [
                    ClusterSignal(cluster_id=c, station_id=known[c].station_id, unit_code=known[c].unit_code or "")
                    for c in by_cluster
                ]
                states = await signal_state.lock(tx.conn, seeds)
                observed = {c: observe(state, by_cluster[c], received_at) for c, state in states.items()}
                appended = await tx.append_streams(
                    CLUSTER_SIGNAL,
                    [(signal_stream(c), states[c].version, o.events) for c, o in observed.items() if o.events],
                )
                changed = [
                    msgspec.structs.replace(o.state, version=appended[signal_stream(c)][-1].version)
                    if signal_stream(c) in appended
                    else o.state
                    for c, o in observed.items()
                ]
                late = {c: o.out_of_order for c, o in observed.items()}
                await signal_state.save(tx.conn, changed, {c: len(o) for c, o in by_cluster.items()}, late)
            outcome[:] = [(batch, ids)]
            return signal_stream(cmd.items[0].cluster_id)

        await self.executor.run(work, context=_per_item(ctx), versioned=False)
        return _committed(*outcome[0])

    async def record_relays(self, cmd: RelaySessionBatch, ctx: CommandContext) -> BatchResult:
        new_ids = ctx.new_ids(len(cmd.items))
        prepared = ItemBatch("relay", cmd.items, ctx, self.executor.item_keys)
        intervals, errors = _relay_intervals(prepared.pending)
        prepared.reject_where(errors)
        outcome: list[tuple[ItemBatch[RelaySessionItem], dict[int, list[str]]]] = []

        async def work(tx: Transaction) -> str:
            batch = prepared.attempt()
            # Keys first: a session sent again overlaps its own first recording.
            await batch.settle_used_keys(tx.conn)
            known = await registry_view.stations(tx.conn, [i.body.station_id for i in batch.pending])
            reach = await _reach(tx, [row.unit_id for row in known.values()])
            batch.reject_where({i.index: e for i in batch.pending if (e := _station_refusal(i.body, known, reach))})
            rows = [(i.index, i.body.station_id, *intervals[i.index]) for i in batch.pending]
            recorded = await relay_clashes.overlapping_recorded(tx.conn, rows)
            batch.reject_where(_overlaps(rows, recorded))
            ids = {i.index: [new_ids[i.index]] for i in batch.pending}
            await batch.claim(tx.conn, ids)
            commands = [
                RecordSession(
                    session_id=new_ids[i.index],
                    station_id=i.body.station_id,
                    unit_code=known[i.body.station_id].unit_code,
                    source=i.body.source,
                    started_at=intervals[i.index][0],
                    ended_at=intervals[i.index][1],
                    programme_id=i.body.programme_id,
                    note=i.body.note,
                )
                for i in batch.pending
            ]
            if commands:
                await tx.append_streams(
                    RELAY_SESSION,
                    [(session_stream(c.session_id), 0, RELAY_SESSION.decide(c, RelaySession())) for c in commands],
                )
                try:
                    async with tx.conn.transaction():
                        await relay_index.claim(
                            tx.conn, [(c.session_id, c.station_id, c.started_at, c.ended_at) for c in commands]
                        )
                except asyncpg.ExclusionViolationError:
                    # A session committed by another writer since the look-up: look again.
                    raise ConcurrencyError(session_stream(commands[0].session_id), 0) from None
            outcome[:] = [(batch, ids)]
            return session_stream(new_ids[0])

        await self.executor.run(work, context=_per_item(ctx), versioned=False)
        return _committed(*outcome[0])


def _committed(batch: ItemBatch[B], ids: dict[int, list[str]]) -> BatchResult:
    """The answer of the attempt that committed, made once it has: the signal rows it locked
    are free by then for the next batch naming the same clusters."""
    batch.accept(ids)
    return batch.result()


def _per_item(ctx: CommandContext) -> CommandContext:
    """The context without the request's ``Idempotency-Key``: the items' own keys make a batch
    sent again safe, and a key for the whole batch would answer a second, different batch with
    the first one's result."""
    return msgspec.structs.replace(ctx, idempotency_key=None)


def _observed_at(
    items: Iterable[Item[SignalReportItem]],
) -> tuple[dict[int, datetime.datetime], dict[int, DomainError]]:
    """Each report's time in UTC, by index, and the refusals of those without an offset."""
    times: dict[int, datetime.datetime] = {}
    errors: dict[int, DomainError] = {}
    for item in items:
        try:
            times[item.index] = aware(item.body.observed_at, field="observed_at")
        except InvalidInputError as exc:
            errors[item.index] = exc
    return times, errors


def _relay_intervals(
    items: Iterable[Item[RelaySessionItem]],
) -> tuple[dict[int, tuple[datetime.datetime, datetime.datetime]], dict[int, DomainError]]:
    intervals: dict[int, tuple[datetime.datetime, datetime.datetime]] = {}
    errors: dict[int, DomainError] = {}
    for item in items:
        try:
            intervals[item.index] = checked_interval(item.body.started_at, item.body.ended_at)
        except InvalidInputError as exc:
            errors[item.index] = exc
    return intervals, errors


async def _reach(tx: Transaction, unit_ids: list[str]) -> _Reach:
    own_code = tx.context.unit_code
    if own_code is None or not unit_ids:
        return _Reach(own_code, set())
    own = await TREE.unit_id(tx.conn, own_code)
    if own is None:
        return _Reach(own_code, None)
    return _Reach(own_code, set(await units_outside(tx.conn, TREE, own, unit_ids)))


class _Reach(msgspec.Struct, frozen=True):
    """A confined caller's unit (``None``: not confined) and the units outside it (``None``:
    its own unit is not known here, so nothing is within it)."""

    own_code: str | None
    outside: set[str] | None

    def refusal(self, unit_id: str) -> DomainError | None:
        if self.own_code is None or (self.outside is not None and unit_id not in self.outside):
            return None
        return outside_own_unit(
            f"a caller for unit {self.own_code} may act only for that unit and the units under it",
            self.own_code,
            unit_ids=[unit_id],
        )


def _cluster_refusal(cluster_id: str, known: dict[str, registry_view.ClusterRow], reach: _Reach) -> DomainError | None:
    row = known.get(cluster_id)
    if row is None or row.unit_code is None or row.unit_id is None:
        return NotFoundError("unknown loudspeaker cluster", code="unknown_cluster", details={"cluster_id": cluster_id})
    if row.status == "decommissioned":
        return ConflictError(
            "a decommissioned loudspeaker cluster cannot report",
            code="cluster_decommissioned",
            details={"cluster_id": cluster_id},
        )
    return reach.refusal(row.unit_id)


def _station_refusal(
    body: RelaySessionItem, known: dict[str, registry_view.StationRow], reach: _Reach
) -> DomainError | None:
    row = known.get(body.station_id)
    if row is None:
        return NotFoundError("unknown radio station", code="unknown_station", details={"station_id": body.station_id})
    if row.status == "DECOMMISSIONED":
        return ConflictError(
            "the radio station is decommissioned",
            code="station_decommissioned",
            details={"station_id": body.station_id},
        )
    return reach.refusal(row.unit_id)


def _overlaps(
    rows: list[tuple[int, str, datetime.datetime, datetime.datetime]], recorded: dict[int, str]
) -> dict[int, DomainError]:
    """Rows that overlap a recorded session, or an earlier row of the batch that is kept. Kept
    intervals of a station never overlap, so sorted by start they are sorted by end too, and
    one bisection finds the neighbours a new interval could touch."""
    errors: dict[int, DomainError] = {}
    kept: dict[str, tuple[list[datetime.datetime], list[datetime.datetime], list[int]]] = {}
    for index, station, start, end in rows:
        if index in recorded:
            errors[index] = _overlap_error(station, session_id=recorded[index])
            continue
        starts, ends, indices = kept.setdefault(station, ([], [], []))
        at = bisect.bisect_right(starts, start)
        if at > 0 and ends[at - 1] > start:
            errors[index] = _overlap_error(station, other_index=indices[at - 1])
        elif at < len(starts) and starts[at] < end:
            errors[index] = _overlap_error(station, other_index=indices[at])
        else:
            starts.insert(at, start)
            ends.insert(at, end)
            indices.insert(at, index)
    return errors


def _overlap_error(station_id: str, **other: str | int) -> DomainError:
    return ConflictError(
        "the session overlaps another session of the same station",
        code="relay_overlap",
        details={"station_id": station_id, **other},
    )
