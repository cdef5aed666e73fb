"""Playing the timeline against the gateway: each action at its time, a few at once, counted.

Actions are sent by a few workers (the gateway runs at most
``TINHSO_GATEWAY_MAX_CONCURRENT_PER_PARTNER`` operations of one partner at once); when the
gateway is slower than the timeline, actions queue and the progress line says how far behind
the simulation runs. A stop (Ctrl-C, the duration) lets the requests in flight finish, for a
few seconds at most, and drops what has not been sent.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime
import time
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from services.cli.simulation_gateway import Answer, GatewayUnreachableError, Refused, SimulationGateway
from services.cli.simulation_schedule import (
    Action,
    AlertAcknowledged,
    AlertIssued,
    Heartbeat,
    RelaySession,
    Scheduled,
    SignalLost,
    SignalRestored,
)

WORKERS = 4
QUEUED = 1_000
DRAIN_SECONDS = 5.0

LABELS = {
    Heartbeat: "heartbeats",
    SignalLost: "signal losses",
    SignalRestored: "restorations",
    RelaySession: "relay sessions",
    AlertIssued: "alerts",
    AlertAcknowledged: "acknowledgements",
}


class Tally(msgspec.Struct, kw_only=True):
    """What the run did: per kind of action, sent (accepted), refused (by code), lost."""

    sent: collections.Counter[str] = msgspec.field(default_factory=collections.Counter)
    refused: collections.Counter[str] = msgspec.field(default_factory=collections.Counter)
    unreachable: int = 0
    down: set[str] = msgspec.field(default_factory=set)
    behind: float = 0.0
    """How late the latest action started, in seconds."""
    elapsed: float = 0.0

    def line(self) -> str:
        kinds = ", ".join(f"{LABELS[k]} {self.sent[LABELS[k]]}" for k in LABELS)
        refused = sum(self.refused.values())
        return (
            f"[{self.elapsed:6.0f}s] {kinds}; down now {len(self.down)}; refused {refused}; "
            f"unreachable {self.unreachable}; behind {self.behind:.1f} s"
        )

    def summary(self) -> list[str]:
        lines = [f"simulated {self.elapsed:.0f} s: {sum(self.sent.values())} actions accepted by the gateway"]
        lines += [f"  {LABELS[k]}: {self.sent[LABELS[k]]}" for k in LABELS]
        lines.append(f"  clusters down at the end: {len(self.down)}")
        if self.refused:
            codes = ", ".join(f"{code} {n}" for code, n in self.refused.most_common())
            lines.append(f"  refused: {codes}")
        if self.unreachable:
            lines.append(f"  not sent, gateway unreachable: {self.unreachable}")
        return lines


class Simulation:
    """Sends a timeline's actions at their time until ``duration`` (None: forever) or ``stop``."""

    def __init__(
        self,
        gateway: SimulationGateway,
        *,
        clock: Callable[[], datetime.datetime] | None = None,
        progress: Callable[[Tally], None] | None = None,
        progress_every: float = 10.0,
    ) -> None:
        self.gateway = gateway
        self.tally = Tally()
        self._clock = clock or (lambda: datetime.datetime.now(datetime.UTC))
        self._progress = progress
        self._progress_every = progress_every
        self._alerts: dict[int, tuple[str, frozenset[str]]] = {}
        """The simulation's alert number → the gateway's id and the stations it went to."""
        self._began = 0.0

    async def run(self, timeline: Iterable[Scheduled], duration: float | None, stop: asyncio.Event) -> Tally:
        self._began = time.monotonic()
        wall = self._clock()
        queue: asyncio.Queue[tuple[float, Action]] = asyncio.Queue(QUEUED)
        workers = [asyncio.create_task(self._work(queue, wall)) for _ in range(WORKERS)]
        reporter = asyncio.create_task(self._report(stop)) if self._progress else None
        stopped = asyncio.create_task(stop.wait())
        try:
            for item in timeline:
                if duration is not None and item.at > duration:
                    await asyncio.wait([stopped], timeout=max(0.0, duration - self._now()))
                    break
                if await self._wait_until(item.at, stopped):
                    break
                await queue.put((item.at, item.action))
        finally:
            stop.set()
            # What is in flight finishes (briefly); what is only queued is dropped.
            while not queue.empty():
                queue.get_nowait()
                queue.task_done()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(DRAIN_SECONDS):
                    await queue.join()
            for task in (*workers, *([reporter] if reporter else []), stopped):
                task.cancel()
            await asyncio.gather(*workers, *([reporter] if reporter else []), stopped, return_exceptions=True)
            self.tally.elapsed = self._now()
        return self.tally

    def _now(self) -> float:
        return time.monotonic() - self._began

    async def _wait_until(self, at: float, stopped: asyncio.Task[bool]) -> bool:
        """Sleeps until ``at``; True when the stop came first."""
        delay = at - self._now()
        if delay > 0:
            await asyncio.wait([stopped], timeout=delay)
        return stopped.done()

    async def _report(self, stop: asyncio.Event) -> None:
        assert self._progress is not None
        while not stop.is_set():
            await asyncio.sleep(self._progress_every)
            self.tally.elapsed = self._now()
            self._progress(self.tally)

    async def _work(self, queue: asyncio.Queue[tuple[float, Action]], wall: datetime.datetime) -> None:
        while True:
            at, action = await queue.get()
            try:
                self.tally.behind = max(0.0, self._now() - at)
                await self._send(action, wall, at)
            finally:
                queue.task_done()

    async def _send(self, action: Action, wall: datetime.datetime, at: float) -> None:
        try:
            answer = await self._answer(action, wall)
        except GatewayUnreachableError:
            self.tally.unreachable += 1
            return
        if answer is None:  # an acknowledgement of an alert not issued, or not sent to that station
            return
        if isinstance(answer, Refused):
            self.tally.refused[answer.code] += 1
            return
        self.tally.sent[LABELS[type(action)]] += 1
        match action:
            case SignalLost(cluster_id):
                self.tally.down.add(cluster_id)
            case SignalRestored(cluster_id):
                self.tally.down.discard(cluster_id)
            case AlertIssued(alert):
                self._alerts[alert] = issued_alert(answer)
            case _:
                pass

    async def _answer(self, action: Action, wall: datetime.datetime) -> Answer | None:
        now = self._clock()
        match action:
            case Heartbeat(cluster_id) | SignalRestored(cluster_id):
                return await self.gateway.report_signal(cluster_id, "ONLINE", now)
            case SignalLost(cluster_id, kind):
                return await self.gateway.report_signal(cluster_id, kind, now)
            case RelaySession(station_id, source, started, ended):
                began, ends = (wall + datetime.timedelta(seconds=s) for s in (started, ended))
                return await self.gateway.record_relay(station_id, source, began, ends)
            case AlertIssued():
                return await self.gateway.issue_alert(action, now)
            case AlertAcknowledged(alert, station_id):
                alert_id, stations = self._alerts.get(alert, ("", frozenset()))
                if station_id not in stations:
                    return None
                return await self.gateway.acknowledge_alert(alert_id, station_id, now)


def issued_alert(answer: dict[str, Any]) -> tuple[str, frozenset[str]]:
    """The alert's id and the stations it went to, from ``issueEmergencyAlert``'s answer."""
    issued = answer["issueEmergencyAlert"]
    stations = frozenset(s["station"]["id"] for s in issued["stations"] if s.get("station"))
    return str(issued["id"]), stations
