"""Typed inputs of the broadcast mutations beyond recording: a programme corrected and sent, a
delivery's steps, a relay session cancelled, outreach recorded (the service's bodies, in the
contract's names)."""

from __future__ import annotations

import datetime

import strawberry

from services.gateway.graphql.inputs import KEY_HELP
from services.gateway.graphql.types_programme_approval import BulletinPriority


@strawberry.input(description="What changes; fields left out keep their value.")
class CorrectProgrammeInput:
    programme_id: strawberry.ID
    reason: str
    title: str | None = None
    air_date: datetime.date | None = None
    duration_seconds: int | None = None
    news_items: int | None = None
    articles: int | None = None
    segments: list[str] | None = None
    priority: BulletinPriority | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input(description="Submit a programme's content for approval (a draft, or rejected content corrected).")
class SubmitProgrammeInput:
    programme_id: strawberry.ID
    note: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input(description="Approve submitted content: it may then be sent to stations.")
class ApproveProgrammeInput:
    programme_id: strawberry.ID
    note: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input(description="Reject submitted content, saying why: the producer corrects it and submits it again.")
class RejectProgrammeInput:
    programme_id: strawberry.ID
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class SendProgrammeInput:
    programme_id: strawberry.ID
    station_ids: list[strawberry.ID] = strawberry.field(description="1 to 2,000 commune stations.")
    due_at: datetime.datetime = strawberry.field(description="When each station should have aired it.")
    sent_at: datetime.datetime | None = strawberry.field(default=None, description="Default: now.")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class ReceiveDeliveryInput:
    programme_id: strawberry.ID
    station_id: strawberry.ID
    at: datetime.datetime | None = strawberry.field(default=None, description="When it arrived; default: now.")
    content_hash: str | None = strawberry.field(default=None, description="The hash of the file the station got.")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class AirDeliveryInput:
    programme_id: strawberry.ID
    station_id: strawberry.ID
    at: datetime.datetime | None = strawberry.field(default=None, description="When it was aired; default: now.")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class FailDeliveryInput:
    programme_id: strawberry.ID
    station_id: strawberry.ID
    reason: str = strawberry.field(description="Why it could not be delivered or aired.")
    at: datetime.datetime | None = strawberry.field(default=None, description="When it failed; default: now.")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


DeliveryStepInput = ReceiveDeliveryInput | AirDeliveryInput | FailDeliveryInput


@strawberry.input
class CancelRelaySessionInput:
    session_id: strawberry.ID
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class RecordOutreachSessionInput:
    unit_code: str
    held_on: datetime.date
    topic: str | None = None
    audience: int | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class RecordVehicleTripInput:
    unit_code: str
    made_on: datetime.date
    route: str | None = None
    distance_km: float | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)
