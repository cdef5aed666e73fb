"""Small rules every broadcast aggregate shares: clean text, aware times, counts."""

from __future__ import annotations

import datetime

from libs.common.errors import InvalidInputError

MAX_TEXT = 500


def clean_text(value: str | None, *, field: str, max_length: int = MAX_TEXT, required: bool = False) -> str | None:
    """Trimmed text; empty counts as absent (or is refused when ``required``)."""
    text = value.strip() if value is not None else None
    if not text:
        if required:
            raise InvalidInputError(f"{field} must not be empty", code="missing_field", details={"field": field})
        return None
    if len(text) > max_length:
        raise InvalidInputError(
            f"{field} is longer than {max_length} characters", code="text_too_long", details={"field": field}
        )
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
