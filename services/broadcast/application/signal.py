"""Signal reports from clusters (single or batched from a partner's monitoring system), the
monitoring configuration, and the detection of incidents.

A batch is all or nothing: one unknown or decommissioned cluster refuses the whole batch
(naming every offender), so a partner can fix and resend it without working out which half
was taken.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

import msgspec

from contracts.api.broadcast import ConfigureSignalBody, ReportSignalsBody
from contracts.broadcast_events import SignalMonitoringConfigured
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Transaction
from libs.common.eventstore.context import CommandContext
from services.broadcast.adapters import incident_index, registry_view, signal_state
from services.broadcast.application.units import within_reach
from services.broadcast.domain.common import aware
from services.broadcast.domain.period import utc_now
from services.broadcast.domain.signal import (
    CLUSTER_SIGNAL,
    CONFIG_STREAM,
    MAX_THRESHOLD,
    MIN_THRESHOLD,
    SIGNAL_CONFIG,
    ClusterSignal,
    Observation,
    detect,
    observe,
    signal_stream,
)


class DetectDue(msgspec.Struct, frozen=True, kw_only=True):
    """The incident detector's round: open the incidents due at ``now``, at most ``limit``."""

    now: datetime.datetime
    limit: int = 500


class SignalHandlers:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def report(self, cmd: ReportSignalsBody, ctx: CommandContext) -> CommandResult:
        """Names the clusters whose state changed (a late report changes none: it is counted in
        the cluster's ``out_of_order``)."""
        received_at = utc_now()
        by_cluster: dict[str, list[Observation]] = defaultdict(list)
        for index, report in enumerate(cmd.reports):
            try:
                observed_at = aware(report.observed_at, field="observed_at")
            except InvalidInputError as exc:
                exc.details["index"] = index
                raise
            by_cluster[report.cluster_id].append(Observation(kind=report.kind, observed_at=observed_at))
        # The result's ids are read after the work has run: which clusters change is known only there.
        moved: list[str] = []

        async def work(tx: Transaction) -> str:
            known = await registry_view.clusters(tx.conn, list(by_cluster))
            unknown = sorted(set(by_cluster) - {c for c, row in known.items() if row.unit_code is not None})
            if unknown:
                raise NotFoundError(
                    "unknown loudspeaker cluster", code="unknown_cluster", details={"cluster_ids": unknown[:100]}
                )
            closed = sorted(c for c, row in known.items() if row.status == "decommissioned")
            if closed:
                raise ConflictError(
                    "a decommissioned loudspeaker cluster cannot report",
                    code="cluster_decommissioned",
                    details={"cluster_ids": closed[:100]},
                )
            await within_reach(tx, [r.unit_id for r in known.values() if r.unit_id])
            seeds = [
                ClusterSignal(cluster_id=c, station_id=row.station_id, unit_code=row.unit_code or "")
                for c, row in known.items()
            ]
            states = await signal_state.lock(tx.conn, seeds)
            changed: list[ClusterSignal] = []
            late: dict[str, int] = {}
            moved.clear()
            for cluster_id, state in states.items():
                outcome = observe(state, by_cluster[cluster_id], received_at)
                late[cluster_id] = outcome.out_of_order
                new_state = outcome.state
                if outcome.events:
                    moved.append(cluster_id)
                    appended = await tx.append(CLUSTER_SIGNAL, signal_stream(cluster_id), state.version, outcome.events)
                    await incident_index.record(tx.conn, outcome.events)
                    new_state = msgspec.structs.replace(new_state, version=appended[-1].version)
                changed.append(new_state)
            await signal_state.save(tx.conn, changed, {c: len(o) for c, o in by_cluster.items()}, late)
            return signal_stream(cmd.reports[0].cluster_id)

        return await self.executor.run(work, context=ctx, request=cmd, ids=moved)

    async def configure(self, cmd: ConfigureSignalBody, ctx: CommandContext) -> CommandResult:
        seconds = cmd.silence_threshold_seconds
        if not MIN_THRESHOLD <= seconds <= MAX_THRESHOLD:
            raise InvalidInputError(
                f"silence_threshold_seconds must be between {MIN_THRESHOLD} and {MAX_THRESHOLD:,}",
                code="invalid_threshold",
            )

        async def work(tx: Transaction) -> str:
            version = await signal_state.settings_version(tx.conn)
            appended = await tx.append(
                SIGNAL_CONFIG, CONFIG_STREAM, version, [SignalMonitoringConfigured(silence_threshold_seconds=seconds)]
            )
            await signal_state.save_threshold(tx.conn, seconds, appended[-1].version)
            return CONFIG_STREAM

        return await self.executor.run(work, context=ctx, request=cmd)

    async def detect_due(self, cmd: DetectDue, ctx: CommandContext) -> CommandResult:
        """Names the clusters whose incident it opened."""
        now = cmd.now
        opened: list[str] = []

        async def work(tx: Transaction) -> str:
            threshold = await signal_state.threshold_seconds(tx.conn)
            due = await signal_state.lock_due(tx.conn, now - datetime.timedelta(seconds=threshold), cmd.limit)
            changed: list[ClusterSignal] = []
            for state in due:
                outcome = detect(state, now, threshold)
                if not outcome.events:
                    continue
                appended = await tx.append(
                    CLUSTER_SIGNAL, signal_stream(state.cluster_id), state.version, outcome.events
                )
                await incident_index.record(tx.conn, outcome.events)
                changed.append(msgspec.structs.replace(outcome.state, version=appended[-1].version))
            if changed:
                await signal_state.save(tx.conn, changed, {}, {})
            opened[:] = [c.cluster_id for c in changed]
            return CONFIG_STREAM

        return await self.executor.run(work, context=ctx, ids=opened)
