"""Relay pages over a list a service answers whole: the metrics service's reports (a value
history, the units behind target, completeness, a ranking) are bounded by the units of one
level, so it answers them in one piece and the gateway pages them. The cursor is the position
after an item, opaque to the caller; a page asked with a cursor from another list is simply
another slice of this one, never an error past the end."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from libs.common.errors import InvalidInputError
from services.gateway.graphql.pages import checked_first

T = TypeVar("T")

_PREFIX = "offset:"


def offset_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{position}".encode()).decode()


def _position(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii")
        if text.startswith(_PREFIX) and text[len(_PREFIX) :].isdigit():
            return int(text[len(_PREFIX) :])
    except (UnicodeError, binascii.Error, ValueError):
        pass
    raise InvalidInputError("after is not a cursor of this list", code="invalid_cursor", details={"argument": "after"})


@dataclass(frozen=True)
class OffsetPage(Generic[T]):
    items: list[T]
    cursors: list[str]
    total_count: int
    has_next_page: bool

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


def offset_page(items: Sequence[T], first: int | None, after: str | None) -> OffsetPage[T]:
    """``first`` items after ``after`` (from the start without it); ``first`` within 1..200."""
    size = checked_first(first)
    start = _position(after) if after else 0
    chosen = list(items[start : start + size])
    return OffsetPage(
        items=chosen,
        cursors=[offset_cursor(start + i + 1) for i in range(len(chosen))],
        total_count=len(items),
        has_next_page=start + size < len(items),
    )
