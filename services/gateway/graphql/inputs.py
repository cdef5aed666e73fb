"""Typed inputs of the mutations (the contract's, plus optional fields it allows)."""

from __future__ import annotations

import datetime

import strawberry

from services.gateway.graphql.scalars import Period, RadioTech, RelaySource, SignalStatus, StationTechnology, UnitLevel
from services.gateway.graphql.types_programme_approval import BulletinPriority

KEY_HELP = "Retry-safe: the same key with the same input returns the first result instead of acting twice."


@strawberry.input
class RegisterUnitInput:
    code: str = strawberry.field(description="Official code; unique among units valid on validFrom.")
    name: str
    level: UnitLevel
    valid_from: datetime.date
    parent_code: str | None = strawberry.field(default=None, description="Required below PROVINCE.")
    unit_type: str | None = strawberry.field(default=None, description="xã, phường, thị trấn, thôn, bản…")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class MergeUnitsInput:
    source_codes: list[str] = strawberry.field(description="Units that stop existing on effectiveDate.")
    successor: RegisterUnitInput = strawberry.field(description="The new unit (its code may reuse a source's).")
    effective_date: datetime.date
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class RegisterRadioStationInput:
    unit_code: str = strawberry.field(description="A COMMUNE.")
    technology: StationTechnology
    installed_on: datetime.date | None = None
    operator_code: str | None = strawberry.field(default=None, description="The owning organisation.")
    funding_source: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class RegisterSpeakerClusterInput:
    station_id: strawberry.ID
    village_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    installed_on: datetime.date | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class ReportClusterSignalInput:
    cluster_id: strawberry.ID
    signal: SignalStatus
    observed_at: datetime.datetime
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class RegisterBtsStationInput:
    operator: str = strawberry.field(description="VNPT, VIETTEL, MOBIFONE…")
    unit_code: str
    technologies: list[RadioTech]
    latitude: float | None = None
    longitude: float | None = None
    commissioned_on: datetime.date | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class RecordProgrammeInput:
    title: str
    producer_code: str
    air_date: datetime.date
    news_items: int
    articles: int
    duration_seconds: int
    segments: list[str] | None = None
    priority: BulletinPriority = BulletinPriority.NORMAL
    draft: bool = strawberry.field(
        default=False,
        description="Recorded by an approver of the producer, the programme is approved at once unless this "
        "asks for a draft; by anyone else it is a draft to submit (ADR 0052).",
    )
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class RecordRelayInput:
    station_id: strawberry.ID
    source: RelaySource
    started_at: datetime.datetime
    ended_at: datetime.datetime
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class ReportIndicatorValueInput:
    indicator_code: str
    unit_code: str
    period: Period
    value: float
    source: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class SetIndicatorTargetInput:
    indicator_code: str
    unit_code: str
    year: int
    target: float
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)
