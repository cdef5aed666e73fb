"""Signal health of a loudspeaker cluster: pure rules, one cluster at a time.

Reports are HEARTBEAT / RESTORED (the cluster hears its station) or NO_SIGNAL / OFFLINE. Only
a report newer than the latest one may change the state; an older one (a late batch from a
partner's monitoring) is accepted and counted but never flips the state back. A report that
changes the state yields its event at once (``cluster_signal_lost`` / ``_restored``), so the
operations centre sees it without waiting for the incident threshold.

An incident is opened when a cluster has been down, or silent (no report at all), for the
threshold; exactly one per outage, closed when the signal comes back. The detector
(``application.detector``) calls :func:`detect` for clusters whose deadline has passed.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

import msgspec
import uuid_utils.compat

from contracts.api.broadcast import ObservationKind
from contracts.base import Event
from contracts.broadcast_events import (
    ClusterSignalLost,
    ClusterSignalRestored,
    DownCause,
    SignalIncidentClosed,
    SignalIncidentOpened,
)
from libs.common.eventstore.decider import Decider

SignalStatus = Literal["UNKNOWN", "UP", "DOWN"]
DEFAULT_THRESHOLD_SECONDS = 300


class ClusterSignal(msgspec.Struct, frozen=True, kw_only=True):
    cluster_id: str
    station_id: str
    unit_code: str
    status: SignalStatus = "UNKNOWN"
    last_observed_at: datetime.datetime | None = None
    down_since: datetime.datetime | None = None
    down_cause: DownCause | None = None
    incident_id: str | None = None
    version: int = 0
    """The version of the cluster's event stream this state was folded from."""

    @property
    def reference_at(self) -> datetime.datetime | None:
        """From when the threshold counts: the last report while up, the outage's start while
        down; ``None`` when no incident can come (never reported, or one already open)."""
        if self.status == "UP":
            return self.last_observed_at
        if self.status == "DOWN" and self.incident_id is None:
            return self.down_since
        return None


def signal_stream(cluster_id: str) -> str:
    return f"cluster_signal-{cluster_id}"


class Observation(msgspec.Struct, frozen=True, kw_only=True):
    kind: ObservationKind
    observed_at: datetime.datetime


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    state: ClusterSignal
    events: list[Event]
    out_of_order: int


def observe(state: ClusterSignal, observations: Sequence[Observation], received_at: datetime.datetime) -> Outcome:
    """Apply a cluster's reports in the order they happened.

    A device clock ahead of ours must not postpone the silence deadline, so a report counts
    as observed no later than it was received.
    """
    events: list[Event] = []
    late = 0
    for obs in sorted(observations, key=lambda o: o.observed_at):
        at = min(obs.observed_at, received_at)
        if state.last_observed_at is not None and at <= state.last_observed_at:
            late += 1
            continue
        state = msgspec.structs.replace(state, last_observed_at=at)
        if obs.kind in ("HEARTBEAT", "RESTORED"):
            if state.status == "DOWN":
                events.extend(_restore(state, at))
                state = msgspec.structs.replace(state, down_since=None, down_cause=None, incident_id=None)
            state = msgspec.structs.replace(state, status="UP")
        elif state.status != "DOWN":
            cause: DownCause = "OFFLINE" if obs.kind == "OFFLINE" else "NO_SIGNAL"
            events.append(_lost(state, at, cause))
            state = msgspec.structs.replace(state, status="DOWN", down_since=at, down_cause=cause)
    return Outcome(state=state, events=events, out_of_order=late)


def detect(state: ClusterSignal, now: datetime.datetime, threshold_seconds: int) -> Outcome:
    """Open the incident of a cluster down or silent for at least the threshold (once)."""
    reference = state.reference_at
    if reference is None or now - reference < datetime.timedelta(seconds=threshold_seconds):
        return Outcome(state=state, events=[], out_of_order=0)
    events: list[Event] = []
    if state.status == "UP":
        # Silent: nothing heard since the last report. It went down then, as far as we know.
        events.append(_lost(state, reference, "SILENT"))
        state = msgspec.structs.replace(state, status="DOWN", down_since=reference, down_cause="SILENT")
    incident_id = str(uuid_utils.compat.uuid7())
    assert state.down_since is not None
    events.append(
        SignalIncidentOpened(
            incident_id=incident_id,
            cluster_id=state.cluster_id,
            station_id=state.station_id,
            unit_code=state.unit_code,
            down_since=state.down_since,
            opened_at=now,
            threshold_seconds=threshold_seconds,
            cause=state.down_cause or "SILENT",
        )
    )
    return Outcome(state=msgspec.structs.replace(state, incident_id=incident_id), events=events, out_of_order=0)


def _lost(state: ClusterSignal, at: datetime.datetime, cause: DownCause) -> ClusterSignalLost:
    return ClusterSignalLost(
        cluster_id=state.cluster_id, station_id=state.station_id, unit_code=state.unit_code, down_since=at, cause=cause
    )


def _restore(state: ClusterSignal, at: datetime.datetime) -> list[Event]:
    assert state.down_since is not None
    events: list[Event] = [
        ClusterSignalRestored(
            cluster_id=state.cluster_id,
            station_id=state.station_id,
            unit_code=state.unit_code,
            down_since=state.down_since,
            restored_at=at,
        )
    ]
    if state.incident_id is not None:
        events.append(
            SignalIncidentClosed(
                incident_id=state.incident_id,
                cluster_id=state.cluster_id,
                station_id=state.station_id,
                unit_code=state.unit_code,
                down_since=state.down_since,
                closed_at=at,
            )
        )
    return events


def evolve(state: ClusterSignal, event: Event) -> ClusterSignal:
    """The state as the log tells it (without the heartbeats, which are not logged)."""
    match event:
        case ClusterSignalLost():
            return msgspec.structs.replace(
                state,
                status="DOWN",
                down_since=event.down_since,
                down_cause=event.cause,
                last_observed_at=_latest(state.last_observed_at, event.down_since),
            )
        case ClusterSignalRestored():
            return msgspec.structs.replace(
                state,
                status="UP",
                down_since=None,
                down_cause=None,
                incident_id=None,
                last_observed_at=_latest(state.last_observed_at, event.restored_at),
            )
        case SignalIncidentOpened():
            return msgspec.structs.replace(state, incident_id=event.incident_id)
    return state


def _latest(a: datetime.datetime | None, b: datetime.datetime) -> datetime.datetime:
    return b if a is None or b > a else a


CONFIG_STREAM = "signal_config"
MIN_THRESHOLD, MAX_THRESHOLD = 1, 7 * 24 * 3600


def _no_decide(command: object, state: ClusterSignal) -> Sequence[Event]:
    raise NotImplementedError("signal state is decided in batches by observe() and detect()")


def _initial() -> ClusterSignal:
    return ClusterSignal(cluster_id="", station_id="", unit_code="")


CLUSTER_SIGNAL: Decider[object, ClusterSignal] = Decider(
    stream_type="cluster_signal", initial=_initial, evolve=evolve, decide=_no_decide
)
"""A cluster's stream: folded by ``evolve``; its events come from ``observe`` and ``detect``."""
SIGNAL_CONFIG: Decider[object, None] = Decider(
    stream_type="signal_config", initial=lambda: None, evolve=lambda s, e: None, decide=lambda c, s: []
)
"""The province's monitoring configuration: one stream, appended to as it is set."""
