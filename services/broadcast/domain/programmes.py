"""Radio programmes produced by a district centre (or the province).

A programme records its counts of news items and articles, optionally the items themselves,
its thematic segments, its audio file and its priority (normal, priority, emergency; so may each
item). Corrections are events too: a correction replaces the fields it names and keeps the
record of what was said before in the log. Its content approval (``domain/approval.py``) is on
the same stream.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import msgspec

from contracts.api.broadcast import CorrectProgrammeBody
from contracts.api.broadcast_views import ApprovalState
from contracts.base import Event
from contracts.broadcast_events import (
    AudioFile,
    Priority,
    ProgrammeCorrected,
    ProgrammeItem,
    ProgrammeRecorded,
)
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from services.broadcast.domain.approval import (
    ApprovalCommand,
    Approve,
    Distribute,
    Reject,
    Submit,
    decide_approval,
    next_state,
)
from services.broadcast.domain.common import (
    content_hash,
    non_negative,
    optional_name,
    required_name,
    required_text,
)

MAX_DURATION = 24 * 3600
MAX_ITEMS = 2000


class Programme(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str = ""
    unit_code: str = ""
    unit_id: str = ""
    title: str = ""
    air_date: datetime.date | None = None
    duration_seconds: int = 0
    news_items: int = 0
    articles: int = 0
    items: list[ProgrammeItem] = msgspec.field(default_factory=list)
    segments: list[str] = msgspec.field(default_factory=list)
    audio: AudioFile | None = None
    priority: Priority = "normal"
    approval: ApprovalState = "draft"

    @property
    def exists(self) -> bool:
        return bool(self.programme_id)


def programme_stream(programme_id: str) -> str:
    return f"programme-{programme_id}"


class ProducerUnit(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    code: str
    level: str


class RecordProgramme(msgspec.Struct, frozen=True, kw_only=True):
    programme_id: str
    producer: ProducerUnit
    title: str
    air_date: datetime.date
    duration_seconds: int
    news_items: int
    articles: int
    items: list[ProgrammeItem] = msgspec.field(default_factory=list)
    segments: list[str] = msgspec.field(default_factory=list)
    audio: AudioFile | None = None
    priority: Priority = "normal"
    approved: Approve | None = None
    """The recorder may approve it and did not ask for a draft: submitted and approved at once."""


CorrectProgramme = CorrectProgrammeBody
"""A correction is decided on the body as the caller sent it: one declaration of its fields."""


ProgrammeCommand = RecordProgramme | CorrectProgramme | ApprovalCommand


def _duration(seconds: int) -> int:
    if not 0 < seconds <= MAX_DURATION:
        raise InvalidInputError(
            "duration_seconds must be between 1 and 86,400", code="invalid_duration", details={"field": "duration"}
        )
    return seconds


def _items(items: list[ProgrammeItem]) -> list[ProgrammeItem]:
    if len(items) > MAX_ITEMS:
        raise InvalidInputError(f"a programme has at most {MAX_ITEMS} items", code="too_many_items")
    return [
        ProgrammeItem(
            kind=item.kind,
            title=required_name(item.title, field="items.title"),
            topic=optional_name(item.topic, field="items.topic", max_length=100),
            priority=item.priority,
        )
        for item in items
    ]


def _segments(segments: list[str]) -> list[str]:
    cleaned = [required_text(s, field="segments", max_length=200) for s in segments]
    if len(set(cleaned)) != len(cleaned):
        raise InvalidInputError("a segment is listed twice", code="duplicate_segment")
    return cleaned


def _audio(audio: AudioFile | None) -> AudioFile | None:
    if audio is None:
        return None
    content_hash(audio.content_hash)
    if audio.size_bytes <= 0:
        raise InvalidInputError("size_bytes must be positive", code="invalid_audio_size")
    _duration(audio.duration_seconds)
    return msgspec.structs.replace(audio, uri=required_text(audio.uri, field="audio.uri", max_length=2000))


def _check_counts(news: int, articles: int, items: list[ProgrammeItem]) -> None:
    non_negative(news, field="news_items")
    non_negative(articles, field="articles")
    if not items:
        return
    listed_news = sum(1 for i in items if i.kind == "news")
    listed_articles = len(items) - listed_news
    if (listed_news, listed_articles) != (news, articles):
        raise InvalidInputError(
            "the listed items do not match news_items and articles",
            code="item_counts_mismatch",
            details={"listed_news": listed_news, "listed_articles": listed_articles},
        )


def decide_programme(command: ProgrammeCommand, programme: Programme) -> Sequence[Event]:
    match command:
        case RecordProgramme():
            if programme.exists:
                raise ConflictError("the programme is already recorded", code="duplicate_programme")
            if command.producer.level not in ("province", "district"):
                raise InvalidInputError(
                    "programmes are produced by a district centre or the province",
                    code="invalid_producer_unit",
                    details={"unit_code": command.producer.code, "level": command.producer.level},
                )
            items = _items(command.items)
            _check_counts(command.news_items, command.articles, items)
            recorded = ProgrammeRecorded(
                programme_id=command.programme_id,
                unit_code=command.producer.code,
                unit_id=command.producer.unit_id,
                title=required_name(command.title, field="title"),
                air_date=command.air_date,
                duration_seconds=_duration(command.duration_seconds),
                news_items=command.news_items,
                articles=command.articles,
                items=items,
                segments=_segments(command.segments),
                audio=_audio(command.audio),
                priority=command.priority,
                approval_required=True,
            )
            if command.approved is None:
                return [recorded]
            state = evolve_programme(programme, recorded)
            submitted = _approval(Submit(at=command.approved.at, by=command.approved.by), state)
            return [recorded, *submitted, *_approval(command.approved, evolve_programme(state, submitted[0]))]
        case Submit() | Approve() | Reject() | Distribute():
            if not programme.exists:
                raise NotFoundError("no such programme", code="unknown_programme")
            return _approval(command, programme)
        case CorrectProgramme():
            if not programme.exists:
                raise NotFoundError("no such programme", code="unknown_programme")
            new_items = _items(command.items) if command.items is not None else None
            news = command.news_items if command.news_items is not None else programme.news_items
            articles = command.articles if command.articles is not None else programme.articles
            _check_counts(news, articles, new_items if new_items is not None else programme.items)
            correction = ProgrammeCorrected(
                programme_id=programme.programme_id,
                unit_code=programme.unit_code,
                reason=required_text(command.reason, field="reason"),
                title=optional_name(command.title, field="title"),
                air_date=command.air_date,
                duration_seconds=_duration(command.duration_seconds) if command.duration_seconds is not None else None,
                news_items=command.news_items,
                articles=command.articles,
                items=new_items,
                segments=_segments(command.segments) if command.segments is not None else None,
                audio=_audio(command.audio),
                priority=command.priority,
            )
            changed = [
                f
                for f in ProgrammeCorrected.__struct_fields__
                if f not in _NOT_FIELDS and getattr(correction, f) is not None
            ]
            if not changed:
                raise InvalidInputError("a correction must change at least one field", code="empty_correction")
            return [correction]


_NOT_FIELDS = frozenset({"programme_id", "unit_code", "reason"})


def _approval(command: ApprovalCommand, programme: Programme) -> Sequence[Event]:
    return decide_approval(
        command,
        programme_id=programme.programme_id,
        unit_code=programme.unit_code,
        state=programme.approval,
        priority=programme.priority,
    )


def evolve_programme(programme: Programme, event: Event) -> Programme:
    match event:
        case ProgrammeRecorded():
            return Programme(
                programme_id=event.programme_id,
                unit_code=event.unit_code,
                unit_id=event.unit_id,
                title=event.title,
                air_date=event.air_date,
                duration_seconds=event.duration_seconds,
                news_items=event.news_items,
                articles=event.articles,
                items=event.items,
                segments=event.segments,
                audio=event.audio,
                priority=event.priority,
                approval="draft" if event.approval_required else "approved",
            )
        case ProgrammeCorrected():
            changes = {
                f: getattr(event, f)
                for f in ProgrammeCorrected.__struct_fields__
                if f not in _NOT_FIELDS and getattr(event, f) is not None
            }
            return msgspec.structs.replace(programme, **changes)
    approval = next_state(programme.approval, event)
    return programme if approval == programme.approval else msgspec.structs.replace(programme, approval=approval)


PROGRAMME: Decider[ProgrammeCommand, Programme] = Decider(
    stream_type="programme", initial=Programme, evolve=evolve_programme, decide=decide_programme
)
