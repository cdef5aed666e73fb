"""Small rules every broadcast aggregate shares: clean text, aware times, counts."""

from __future__ import annotations

import datetime
import re
import unicodedata

from libs.common.errors import InvalidInputError
from libs.common.text import refuse_hidden_characters

MAX_TEXT = 500
CONTENT_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


def clean_text(value: str | None, *, field: str, max_length: int = MAX_TEXT, required: bool = False) -> str | None:
    """NFC, trimmed text without control, format or bidirectional characters (the rule every
    service applies, ``libs.common.text``); empty counts as absent (or is refused when
    ``required``). Titles, alert messages and notes reach station displays and partners' screens
    as stored, so a right-to-left override or a terminal escape never gets that far."""
    text = unicodedata.normalize("NFC", value).strip() if value is not None else None
    if not text:
        if required:
            raise InvalidInputError(f"{field} must not be empty", code="missing_field", details={"field": field})
        return None
    if len(text) > max_length:
        raise InvalidInputError(
            f"{field} is longer than {max_length} characters", code="text_too_long", details={"field": field}
        )
    refuse_hidden_characters(text, field=field)
    return text


def required_text(value: str, *, field: str, max_length: int = MAX_TEXT) -> str:
    text = clean_text(value, field=field, max_length=max_length, required=True)
    assert text is not None
    return text


def aware(at: datetime.datetime, *, field: str) -> datetime.datetime:
    """Instants must say their offset: a naive time is ambiguous between UTC and local time."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInputError(
            f"{field} must carry a UTC offset (e.g. 2022-03-01T07:00:00+07:00)",
            code="naive_datetime",
            details={"field": field},
        )
    return at.astimezone(datetime.UTC)


def non_negative(value: int, *, field: str, maximum: int = 10_000_000) -> int:
    if value < 0 or value > maximum:
        raise InvalidInputError(
            f"{field} must be between 0 and {maximum:,}", code="invalid_count", details={"field": field}
        )
    return value


def content_hash(value: str | None) -> str | None:
    """An audio file's hash as the programme and the station's receipt both state it."""
    if value is not None and not CONTENT_HASH.match(value):
        raise InvalidInputError("content_hash must be sha256:<64 lower-case hex digits>", code="invalid_content_hash")
    return value
