"""Small rules every broadcast aggregate shares: clean text and titles, aware times, counts."""

from __future__ import annotations

import datetime
import re

from libs.common import text
from libs.common.errors import InvalidInputError

MAX_TEXT = 500
CONTENT_HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


def clean_text(value: str | None, *, field: str, max_length: int = MAX_TEXT, required: bool = False) -> str | None:
    """Free text (an alert's message, a note, a reason) by the rule every service applies
    (``libs.common.text``), at broadcast's default length: titles, messages and notes reach
    station displays and partners' screens as stored, so a right-to-left override or a terminal
    escape never gets that far."""
    return text.clean_text(value, field=field, max_length=max_length, required=required)


def required_text(value: str, *, field: str, max_length: int = MAX_TEXT) -> str:
    cleaned = clean_text(value, field=field, max_length=max_length, required=True)
    assert cleaned is not None
    return cleaned


def optional_name(value: str | None, *, field: str, max_length: int = MAX_TEXT) -> str | None:
    """A one-line label (a title, a topic) by the registry's rule for names (``clean_name``):
    single-spaced, no line breaks; blank means absent."""
    if value is None or not value.strip():
        return None
    return text.clean_name(value, field=field, max_length=max_length)


def required_name(value: str, *, field: str, max_length: int = MAX_TEXT) -> str:
    """A one-line label that must be there: blank is ``missing_field``, as for required text."""
    name = optional_name(value, field=field, max_length=max_length)
    if name is None:
        raise InvalidInputError(f"{field} must not be empty", code="missing_field", details={"field": field})
    return name


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
