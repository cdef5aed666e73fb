"""The bodies of the internal command routes the gateway forwards mutations to.

Each mirrors the owning service's route (which refuses unknown fields); ``None`` fields are
left out, so the service's own defaults apply. The registry's bodies are its own, in
``contracts.api.registry``.
"""

from __future__ import annotations

import datetime

import msgspec


class Body(msgspec.Struct, kw_only=True, omit_defaults=True):
    pass


class SignalReport(Body):
    cluster_id: str
    kind: str
    """HEARTBEAT, RESTORED, NO_SIGNAL or OFFLINE."""
    observed_at: datetime.datetime


class ReportSignalsBody(Body):
    reports: list[SignalReport]


class RecordProgrammeBody(Body):
    unit_code: str
    title: str
    air_date: datetime.date
    duration_seconds: int
    news_items: int
    articles: int
    segments: list[str] | None = None


class RelaySession(Body):
    station_id: str
    source: str
    started_at: datetime.datetime
    ended_at: datetime.datetime


class RecordRelaysBody(Body):
    sessions: list[RelaySession]


class ReportValueBody(Body):
    indicator_code: str
    unit_code: str
    period: str
    value: float
    source: str | None = None


class SetTargetBody(Body):
    indicator_code: str
    unit_code: str
    year: int
    target: float
