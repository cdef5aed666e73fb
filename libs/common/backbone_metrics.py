"""OpenTelemetry instruments of the backbone: relay progress, projection lag, dead letters.

Observable instruments read the status the relay and the runners already keep, so measuring
costs nothing on the hot path. OpenTelemetry keeps one instrument per name for the whole
process, so the instruments are created once and report every running backbone.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

if TYPE_CHECKING:
    from libs.common.backbone import Backbone

_running: weakref.WeakSet[Backbone] = weakref.WeakSet()
_created = False


def track(backbone: Backbone) -> None:
    _ensure_instruments()
    _running.add(backbone)


def untrack(backbone: Backbone) -> None:
    _running.discard(backbone)


def _projection_lag_events(_: CallbackOptions) -> Iterable[Observation]:
    for backbone in list(_running):
        for runner in backbone.runners:
            for lag in runner.lag_snapshot():
                if lag.events is not None:
                    yield Observation(
                        lag.events,
                        {"projection": runner.projection.name, "topic": lag.topic, "partition": lag.partition},
                    )


def _projection_lag_seconds(_: CallbackOptions) -> Iterable[Observation]:
    for backbone in list(_running):
        for runner in backbone.runners:
            for lag in runner.lag_snapshot():
                yield Observation(
                    lag.seconds, {"projection": runner.projection.name, "topic": lag.topic, "partition": lag.partition}
                )


def _dead_letters(_: CallbackOptions) -> Iterable[Observation]:
    for backbone in list(_running):
        for runner in backbone.runners:
            yield Observation(runner.status.dead_lettered, {"projection": runner.projection.name})


def _relay_published(_: CallbackOptions) -> Iterable[Observation]:
    for backbone in list(_running):
        if backbone.relay is not None:
            yield Observation(backbone.relay.status.published, {"service": backbone.service})


def _ensure_instruments() -> None:
    global _created  # noqa: PLW0603 - instruments are per process by OpenTelemetry's design
    if _created:
        return
    meter = metrics.get_meter("tinhso.backbone")
    meter.create_observable_gauge(
        "tinhso.projection.lag.events", [_projection_lag_events], unit="{event}", description="events behind"
    )
    meter.create_observable_gauge(
        "tinhso.projection.lag.seconds", [_projection_lag_seconds], unit="s", description="age of the backlog"
    )
    meter.create_observable_gauge(
        "tinhso.projection.dead_letters", [_dead_letters], unit="{event}", description="dead-lettered here"
    )
    meter.create_observable_counter(
        "tinhso.relay.published", [_relay_published], unit="{event}", description="events published by the relay"
    )
    _created = True
