"""``tinhso simulate``'s timeline: what happens when, from a seeded random generator."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict

from contracts.province import PROVINCE_TZ
from services.broadcast.seed.ba_be_2022 import RELAY_START_HOUR
from services.cli.simulation_schedule import (
    ACK_WITHIN_SECONDS,
    OUTAGE_BOUNDS,
    RELAY_DAILY_MINUTES,
    RELAY_JITTER,
    AlertAcknowledged,
    AlertIssued,
    Heartbeat,
    RelaySession,
    Scheduled,
    SignalLost,
    SignalRestored,
    Station,
    Timeline,
)

START = datetime.datetime(2026, 12, 7, 4, 0, tzinfo=PROVINCE_TZ)
STATIONS = [
    Station(station_id=f"S{d}{c}", unit_code=f"0{d}{c}", district_code=f"D{d}", clusters=(f"C{d}{c}a", f"C{d}{c}b"))
    for d in range(2)
    for c in range(3)
]


def timeline(seed: int = 7, rate: float = 60.0, interval: float = 30.0, seconds: float = 3600.0) -> list[Scheduled]:
    actions = Timeline(STATIONS, seed=seed, rate=rate, heartbeat_interval=interval, start=START)
    return list(itertools.takewhile(lambda s: s.at <= seconds, actions))


def test_the_same_seed_gives_the_same_timeline_and_another_seed_another() -> None:
    assert timeline(seed=1) == timeline(seed=1)
    assert timeline(seed=1) != timeline(seed=2)


def test_actions_come_in_time_order() -> None:
    times = [s.at for s in timeline()]
    assert times == sorted(times)


def test_a_cluster_heartbeats_on_its_interval_in_real_time_whatever_the_rate_except_while_down() -> None:
    for rate in (1.0, 600.0):
        down: dict[str, list[tuple[float, float]]] = defaultdict(list)
        beats: dict[str, list[float]] = defaultdict(list)
        for item in timeline(rate=rate, interval=30.0, seconds=1800.0):
            match item.action:
                case Heartbeat(cluster):
                    beats[cluster].append(item.at)
                case SignalLost(cluster, _, lasts):
                    down[cluster].append((item.at, item.at + lasts))
        assert set(beats) == {c for s in STATIONS for c in s.clusters}
        for cluster, times in beats.items():
            gaps = [b - a for a, b in itertools.pairwise(times)]
            # a gap is the interval, or a whole number of them skipped while the cluster was down
            assert all(round(g / 30.0) >= 1 and abs(g - 30.0 * round(g / 30.0)) < 1e-6 for g in gaps), cluster
            assert not any(lost < t < back for t in times for lost, back in down[cluster]), cluster


def test_every_loss_is_restored_after_its_duration_and_losses_alternate_with_restorations() -> None:
    rate = 600.0
    items = timeline(rate=rate, seconds=4 * 3600.0)
    losses = [i for i in items if isinstance(i.action, SignalLost)]
    assert len(losses) > 10  # at this rate the province's clock covers 100 days
    state: dict[str, float | None] = {}
    for item in items:
        match item.action:
            case SignalLost(cluster, kind, lasts):
                assert state.get(cluster) is None, "lost twice without a restoration"
                assert kind in {"NO_SIGNAL", "OFFLINE"}
                assert OUTAGE_BOUNDS[0] / rate <= lasts <= OUTAGE_BOUNDS[1] / rate
                state[cluster] = item.at + lasts
            case SignalRestored(cluster):
                restored_at = state.get(cluster)
                assert restored_at is not None
                assert abs(item.at - restored_at) < 1e-6
                state[cluster] = None


def test_relay_sessions_begin_at_their_slots_on_the_province_clock_and_arrive_when_they_end() -> None:
    rate = 60.0
    clock = Timeline(STATIONS, seed=3, rate=rate, heartbeat_interval=30.0, start=START)
    relays = [
        i for i in timeline(seed=3, rate=rate, seconds=2 * 24 * 3600 / rate) if isinstance(i.action, RelaySession)
    ]
    per_day: dict[tuple[datetime.date, str], set[str]] = defaultdict(set)
    for item in relays:
        session = item.action
        assert isinstance(session, RelaySession)
        assert item.at == session.ended
        began = clock.province_time(session.started)
        assert began.hour == RELAY_START_HOUR[session.source]
        assert began.minute == 0
        minutes = (session.ended - session.started) * rate / 60
        assert abs(minutes / RELAY_DAILY_MINUTES[session.source] - 1) <= RELAY_JITTER + 1e-9
        per_day[(began.date(), session.source)].add(session.station_id)
    # two whole province days from 04:00: each source's slot once a day, at every station
    assert set(per_day) == {(START.date() + datetime.timedelta(days=d), s) for d in (0, 1) for s in RELAY_START_HOUR}
    assert all(stations == {s.station_id for s in STATIONS} for stations in per_day.values())


def test_a_session_already_on_air_at_the_start_is_not_recorded() -> None:
    late = START.replace(hour=5, minute=30)  # VOV1 began at 05:00
    actions = Timeline(STATIONS, seed=3, rate=60.0, heartbeat_interval=30.0, start=late)
    first_day = itertools.takewhile(lambda s: s.at <= 12 * 60, actions)  # to 17:30, province time
    sources = {i.action.source for i in first_day if isinstance(i.action, RelaySession)}
    assert sources == {"PROVINCIAL"}


def test_an_alert_is_acknowledged_by_stations_of_its_area_only_once_each_within_minutes() -> None:
    items = timeline(rate=3600.0, seconds=1800.0)  # the province's clock: 75 days
    alerts = {i.action.alert: (i.at, i.action) for i in items if isinstance(i.action, AlertIssued)}
    assert len(alerts) > 3
    acknowledged: dict[int, list[str]] = defaultdict(list)
    for item in items:
        if isinstance(item.action, AlertAcknowledged):
            issued_at, alert = alerts[item.action.alert]
            assert item.action.station_id in alert.stations
            assert ACK_WITHIN_SECONDS / 60 - 1e-6 <= item.at - issued_at <= ACK_WITHIN_SECONDS + 1e-6
            acknowledged[alert.alert].append(item.action.station_id)
    for number, (_, alert) in alerts.items():
        area = {s.station_id for s in STATIONS if alert.unit_code in {s.district_code, s.unit_code}}
        assert set(alert.stations) == area
        assert area
        assert len(acknowledged[number]) == len(set(acknowledged[number]))
    every = [s for number in alerts for s in acknowledged[number]]
    assert 0 < len(every) < sum(len(a.stations) for _, a in alerts.values())  # some never answer
