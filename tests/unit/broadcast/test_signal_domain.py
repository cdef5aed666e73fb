"""Signal health rules: a report that changes the state is an event at once, older reports
never flip it back, one incident per outage, opened at the threshold and closed on restore."""

from __future__ import annotations

import datetime

from contracts.api.broadcast import ObservationKind
from contracts.base import Event
from contracts.broadcast_events import (
    ClusterSignalLost,
    ClusterSignalRestored,
    SignalIncidentClosed,
    SignalIncidentOpened,
)
from services.broadcast.domain.signal import ClusterSignal, Observation, detect, evolve, observe

T0 = datetime.datetime(2024, 5, 1, 8, tzinfo=datetime.UTC)
LATER = T0 + datetime.timedelta(days=1)


def at(seconds: float) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def obs(kind: ObservationKind, seconds: float) -> Observation:
    return Observation(kind=kind, observed_at=at(seconds))


def fresh() -> ClusterSignal:
    return ClusterSignal(cluster_id="c1", station_id="s1", unit_code="00001")


def test_a_first_heartbeat_brings_a_cluster_up_without_an_event() -> None:
    outcome = observe(fresh(), [obs("HEARTBEAT", 0)], LATER)
    assert (outcome.state.status, outcome.events) == ("UP", [])


def test_no_signal_after_a_heartbeat_is_a_lost_event_with_its_cause() -> None:
    outcome = observe(fresh(), [obs("HEARTBEAT", 0), obs("OFFLINE", 10)], LATER)
    [lost] = outcome.events
    assert isinstance(lost, ClusterSignalLost)
    assert (lost.cause, lost.down_since, lost.unit_code) == ("OFFLINE", at(10), "00001")


def test_reports_in_one_batch_are_taken_in_the_order_they_happened() -> None:
    outcome = observe(fresh(), [obs("NO_SIGNAL", 10), obs("HEARTBEAT", 0)], LATER)
    assert [type(e) for e in outcome.events] == [ClusterSignalLost]
    assert outcome.state.status == "DOWN"


def test_an_older_report_is_counted_but_never_flips_the_state_back() -> None:
    up = observe(fresh(), [obs("HEARTBEAT", 100)], LATER).state
    outcome = observe(up, [obs("NO_SIGNAL", 50)], LATER)
    assert (outcome.state, outcome.events, outcome.out_of_order) == (up, [], 1)


def test_a_report_dated_in_the_future_counts_as_received_now() -> None:
    outcome = observe(fresh(), [Observation(kind="HEARTBEAT", observed_at=LATER + datetime.timedelta(days=1))], LATER)
    assert outcome.state.last_observed_at == LATER


def test_an_outage_opens_one_incident_at_the_threshold_and_restore_closes_it() -> None:
    down = observe(fresh(), [obs("HEARTBEAT", 0), obs("NO_SIGNAL", 10)], LATER).state
    assert detect(down, at(10 + 299), 300).events == []
    opened = detect(down, at(10 + 300), 300)
    [incident] = opened.events
    assert isinstance(incident, SignalIncidentOpened)
    assert (incident.down_since, incident.cause) == (at(10), "NO_SIGNAL")
    assert detect(opened.state, at(5000), 300).events == []  # never a second one
    restored = observe(opened.state, [obs("HEARTBEAT", 4000)], LATER)
    restore, close = restored.events
    assert isinstance(restore, ClusterSignalRestored)
    assert isinstance(close, SignalIncidentClosed)
    assert (close.incident_id, close.closed_at) == (incident.incident_id, at(4000))
    assert restored.state.reference_at == at(4000)


def test_a_silent_cluster_goes_down_from_its_last_report_and_opens_an_incident() -> None:
    up = observe(fresh(), [obs("HEARTBEAT", 0)], LATER).state
    assert detect(up, at(59), 60).events == []
    outcome = detect(up, at(61), 60)
    lost, incident = outcome.events
    assert isinstance(lost, ClusterSignalLost)
    assert (lost.cause, lost.down_since) == ("SILENT", at(0))
    assert isinstance(incident, SignalIncidentOpened)
    assert outcome.state.reference_at is None


def test_the_state_folded_from_the_log_matches_the_state_kept_by_the_command_side() -> None:
    state = fresh()
    events: list[Event] = []
    for step in (observe(state, [obs("HEARTBEAT", 0), obs("NO_SIGNAL", 10)], LATER),):
        state, events = step.state, [*events, *step.events]
    step = detect(state, at(400), 300)
    state, events = step.state, [*events, *step.events]
    folded = fresh()
    for event in events:
        folded = evolve(folded, event)
    assert (folded.status, folded.down_since, folded.incident_id) == (state.status, state.down_since, state.incident_id)
