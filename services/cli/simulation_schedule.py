"""What ``tinhso simulate`` makes happen in the province, and when: a pure timeline.

Given the province (stations and their clusters), a seed and a rate, the timeline yields the
same actions at the same offsets every time, in time order, for as long as it is read. Offsets
are seconds of real time after the start. Two clocks drive it:

- **the province's clock**, running ``rate`` times faster than real time, times signal losses
  (each cluster fails now and then), their durations (minutes, sometimes hours), the stations'
  relay sessions at their slots of the day (VOV1 from 05:00, the provincial station from 11:00,
  VTV1 from 19:00 local time, the lengths of Ba Bể's 2022 averages) and the occasional
  emergency alert;
- **real time**, which a rate does not speed up, times what devices and people do at their own
  pace: each cluster's heartbeat on its interval (the broadcast service's silence detector
  counts real seconds) and the stations' acknowledgements of an alert over a few minutes.

A cluster that is down sends no heartbeat until its restoration is reported.
"""

from __future__ import annotations

import datetime
import heapq
import itertools
import math
import random
from collections.abc import Iterator, Sequence
from typing import Literal

import msgspec

from contracts.province import PROVINCE_TZ
from services.broadcast.seed.ba_be_2022 import RELAY_MINUTES, RELAY_START_HOUR

SECONDS_PER_DAY = 86_400
RELAY_DAILY_MINUTES = {source: minutes / 365 for source, minutes in RELAY_MINUTES.items()}
"""A session's mean length per source: Ba Bể's 2022 totals over the year's days."""

MEAN_SECONDS_BETWEEN_LOSSES = 2 * SECONDS_PER_DAY
"""Province clock: a cluster loses its signal about every other day (rain, power, equipment)."""
OUTAGE_MEDIAN_SECONDS = 15 * 60
OUTAGE_SPREAD = 1.2
"""Province clock: outage lengths are log-normal around 15 minutes; one in ten lasts over 1 h 10."""
OUTAGE_BOUNDS = (60.0, 12 * 3600.0)
OFFLINE_SHARE = 0.3
"""Losses reported OFFLINE (the cluster's power or link is gone); the rest are NO_SIGNAL."""
MEAN_SECONDS_BETWEEN_ALERTS = 4 * 3600
"""Province clock: an emergency alert every four hours or so (a storm, a flood warning)."""
ALERT_LIFETIME_SECONDS = 30 * 60
"""Real time: how long an alert stays in force."""
ACK_WITHIN_SECONDS = 300.0
"""Real time: a station acknowledges within five minutes, after about one (a fifth of it),
and not before a sixtieth of it (5 s)."""
UNACKNOWLEDGED_SHARE = 0.15
"""Stations that never acknowledge (the operator is away): the console's 'not acknowledged'."""
RELAY_JITTER = 0.15
"""A session's length varies by up to this share around the source's mean."""

SignalLoss = Literal["NO_SIGNAL", "OFFLINE"]
AlertPriority = Literal["normal", "high", "critical"]
AlertCategory = Literal["disaster", "epidemic", "security", "other"]


class Station(msgspec.Struct, frozen=True, kw_only=True):
    station_id: str
    unit_code: str
    """The commune it serves."""
    district_code: str | None
    clusters: tuple[str, ...] = ()


class Heartbeat(msgspec.Struct, frozen=True, tag=True):
    cluster_id: str


class SignalLost(msgspec.Struct, frozen=True, tag=True):
    cluster_id: str
    kind: SignalLoss
    lasts: float
    """Real seconds until its restoration is reported."""


class SignalRestored(msgspec.Struct, frozen=True, tag=True):
    cluster_id: str


class RelaySession(msgspec.Struct, frozen=True, tag=True):
    station_id: str
    source: str
    started: float
    """Real offset of the session's start; the action itself comes when it ends."""
    ended: float


class AlertIssued(msgspec.Struct, frozen=True, tag=True):
    alert: int
    """The simulation's number for it; the gateway gives the id."""
    unit_code: str
    category: AlertCategory
    priority: AlertPriority
    stations: tuple[str, ...]
    """The stations of the area, which may acknowledge it."""
    expires_after: float
    """Real seconds."""


class AlertAcknowledged(msgspec.Struct, frozen=True, tag=True):
    alert: int
    station_id: str


Action = Heartbeat | SignalLost | SignalRestored | RelaySession | AlertIssued | AlertAcknowledged


class _NextDay(msgspec.Struct, frozen=True, tag=True):
    """Internal to the timeline: schedule the relay sessions of another day."""

    day: int


class Scheduled(msgspec.Struct, frozen=True):
    at: float
    """Real seconds after the start."""
    action: Action


def _bounded(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


class Timeline:
    """The province's actions in time order (an endless iterator; stop reading when done)."""

    def __init__(
        self,
        stations: Sequence[Station],
        *,
        seed: int,
        rate: float,
        heartbeat_interval: float,
        start: datetime.datetime,
        alerts: bool = True,
        ack_within: float = ACK_WITHIN_SECONDS,
    ) -> None:
        if rate <= 0 or heartbeat_interval <= 0:
            raise ValueError("the rate and the heartbeat interval must be positive")
        self.stations = list(stations)
        self.rate = rate
        self.heartbeat_interval = heartbeat_interval
        self.start = start.astimezone(PROVINCE_TZ)
        self.alerts = alerts and bool(self.stations)
        self.ack_bounds = (ack_within / 60, ack_within)
        self._rng = random.Random(seed)  # noqa: S311 - a repeatable simulation, not a secret
        self._heap: list[tuple[float, int, Action | _NextDay]] = []
        self._order = itertools.count()
        self._down: set[str] = set()
        self._alerts = itertools.count(1)
        self._relay_day = 0

    # --- the two clocks -------------------------------------------------------------------------

    def real(self, province_seconds: float) -> float:
        """Real seconds for a span of the province's clock."""
        return province_seconds / self.rate

    def province_time(self, at: float) -> datetime.datetime:
        """The province's local time at a real offset."""
        return self.start + datetime.timedelta(seconds=at * self.rate)

    # --- scheduling -------------------------------------------------------------------------------

    def _push(self, at: float, action: Action | _NextDay) -> None:
        heapq.heappush(self._heap, (at, next(self._order), action))

    def _next_loss(self, cluster_id: str, after: float) -> None:
        gap = self._rng.expovariate(1 / MEAN_SECONDS_BETWEEN_LOSSES)
        lasts = _bounded(self._rng.lognormvariate(math.log(OUTAGE_MEDIAN_SECONDS), OUTAGE_SPREAD), OUTAGE_BOUNDS)
        kind: SignalLoss = "OFFLINE" if self._rng.random() < OFFLINE_SHARE else "NO_SIGNAL"
        self._push(after + self.real(gap), SignalLost(cluster_id, kind, self.real(lasts)))

    def _next_alert(self, after: float) -> None:
        gap = self._rng.expovariate(1 / MEAN_SECONDS_BETWEEN_ALERTS)
        districts = sorted({s.district_code for s in self.stations if s.district_code})
        area = self._rng.choice(districts) if districts else self._rng.choice(self.stations).unit_code
        stations = tuple(s.station_id for s in self.stations if area in {s.district_code, s.unit_code})
        priority: AlertPriority = self._rng.choice(("normal", "high", "high", "critical"))
        category: AlertCategory = self._rng.choice(("disaster", "disaster", "epidemic", "security", "other"))
        alert = AlertIssued(next(self._alerts), area, category, priority, stations, float(ALERT_LIFETIME_SECONDS))
        self._push(after + self.real(gap), alert)

    def _relays_of_day(self, day: int) -> None:
        """Every station's sessions of the ``day``-th local day after the start's."""
        date = self.start.date() + datetime.timedelta(days=day)
        for source, hour in sorted(RELAY_START_HOUR.items()):
            begins = datetime.datetime.combine(date, datetime.time(hour), PROVINCE_TZ)
            offset = self.real((begins - self.start).total_seconds())
            for station in self.stations:
                minutes = RELAY_DAILY_MINUTES[source] * (1 + self._rng.uniform(-RELAY_JITTER, RELAY_JITTER))
                ends = offset + self.real(minutes * 60)
                if offset >= 0:  # a session already on air when the simulation starts is not its own
                    self._push(ends, RelaySession(station.station_id, source, offset, ends))
        # The next day's sessions are scheduled when this day's last can come: before its midnight.
        midnight = datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time(), PROVINCE_TZ)
        self._push(self.real((midnight - self.start).total_seconds()), _NextDay(day + 1))

    def __iter__(self) -> Iterator[Scheduled]:
        for station in self.stations:
            for cluster in station.clusters:
                self._push(self._rng.uniform(0, self.heartbeat_interval), Heartbeat(cluster))
                self._next_loss(cluster, 0.0)
        if self.alerts:
            self._next_alert(0.0)
        if self.stations:
            self._relays_of_day(0)
        while self._heap:
            at, _, action = heapq.heappop(self._heap)
            if isinstance(action, _NextDay):
                self._relays_of_day(action.day)
                continue
            yield from self._happen(at, action)

    def _happen(self, at: float, action: Action) -> Iterator[Scheduled]:
        match action:
            case Heartbeat(cluster_id):
                self._push(at + self.heartbeat_interval, action)
                if cluster_id in self._down:
                    return
            case SignalLost(cluster_id, _, lasts):
                self._down.add(cluster_id)
                self._push(at + lasts, SignalRestored(cluster_id))
            case SignalRestored(cluster_id):
                self._down.discard(cluster_id)
                self._next_loss(cluster_id, at)
            case AlertIssued(alert, stations=stations):
                for station_id in stations:
                    if self._rng.random() >= UNACKNOWLEDGED_SHARE:
                        median = math.log(self.ack_bounds[1] / 5)
                        delay = _bounded(self._rng.lognormvariate(median, 0.8), self.ack_bounds)
                        self._push(at + delay, AlertAcknowledged(alert, station_id))
                self._next_alert(at)
            case RelaySession() | AlertAcknowledged():
                pass
        yield Scheduled(at, action)
