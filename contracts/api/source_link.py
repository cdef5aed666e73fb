"""The link to the source-information system (Hệ thống thông tin nguồn, 2455/BTTTT-TTCS): the
bulletin it sends and the aired results the platform reports back (ADR 0054), declared once.

The broadcast service takes :class:`ReceiveBulletinBody` (unknown fields refused) and answers
the results as :class:`SourceResultPage`; the gateway's client encodes and decodes the same
Structs, and the outbound webhook posts one :class:`SourceResult` per delivery. The JSON Schema
partners read is generated from :class:`SourceResult` (``contracts/source_result.schema.json``,
``python -m contracts.source_link_schema``).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

import msgspec

from contracts.api.broadcast import Body
from contracts.broadcast_events import AudioFile, Priority, ProgrammeItem

MAX_RESULTS_PAGE = 500
BulletinId = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")]
"""The sender's id of a bulletin: letters, digits and ``. _ : / -``, starting with a letter or digit."""
ResultStatus = Literal["delivered", "received", "aired", "failed"]
"""``delivered``: sent to the station's receiver; ``received``: the station has the file;
``aired``: broadcast, at ``at``; ``failed``: it will not air, for ``reason``."""


class ReceiveBulletinBody(Body, frozen=True, kw_only=True):
    """A bulletin from the source-information system, to become a programme for distribution."""

    bulletin_id: BulletinId
    unit_code: str
    """Who distributes it: a district (its culture and media centre) or the province."""
    title: str
    air_date: datetime.date
    duration_seconds: int
    news_items: int
    articles: int
    priority: Priority = "normal"
    items: list[ProgrammeItem] = msgspec.field(default_factory=list)
    segments: list[str] = msgspec.field(default_factory=list)
    audio: AudioFile | None = None
    issued_at: datetime.datetime | None = None
    """When the sender issued it (timezone-aware)."""


class SourceResult(msgspec.Struct, frozen=True, kw_only=True):
    """One step of one bulletin at one station, as the source-information system receives it."""

    delivery_id: Annotated[
        str,
        msgspec.Meta(
            description="Unique per result (a UUID): a receiver drops one it has seen.",
            extra_json_schema={"format": "uuid"},
        ),
    ]
    sequence: Annotated[int, msgspec.Meta(ge=1, description="Its place in the feed: `since` for the next page.")]
    sender: str
    bulletin_id: str
    programme_id: str
    station_id: str
    unit_code: Annotated[str, msgspec.Meta(description="The station's commune (official code).")]
    status: ResultStatus
    at: Annotated[
        datetime.datetime,
        msgspec.Meta(description="When the step happened (UTC).", extra_json_schema={"format": "date-time"}),
    ]
    reason: Annotated[str | None, msgspec.Meta(description="Why it failed; null for other steps.")] = None


class SourceResultPage(msgspec.Struct, frozen=True, kw_only=True):
    results: list[SourceResult]
    next_since: int
    """Pass it as ``since`` to read on; the same value when there was nothing new."""
    has_more: bool
