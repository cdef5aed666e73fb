"""Relay pages over a list a service answers whole (bounded), with an offset cursor.

Some of the services' reads answer a bounded list rather than a page (a unit's signal incidents
in a period: at most ``MAX_LISTED``). The gateway pages those itself, so every list a partner
reads is a connection with ``totalCount`` whichever way the service answers (ADR 0038).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from libs.common.errors import InvalidInputError

T = TypeVar("T")

MAX_LISTED = 5000
"""The most rows a service's whole-list read answers (its own ``limit`` bound)."""


def offset_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _offset(cursor: str) -> int:
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "offset" and number.isdigit():
            return int(number) + 1
    except (ValueError, UnicodeDecodeError):
        pass
    raise InvalidInputError("the cursor is not one this list gave out", code="invalid_cursor")


@dataclass(frozen=True)
class Slice(Generic[T]):
    """One page of a whole list: its items with their cursors, and whether more follow."""

    items: list[tuple[T, str]]
    has_next_page: bool
    end_cursor: str | None
    total_count: int


def page_of(rows: Sequence[T], first: int, after: str | None) -> Slice[T]:
    start = _offset(after) if after else 0
    items = [(row, offset_cursor(start + i)) for i, row in enumerate(rows[start : start + first])]
    return Slice(
        items=items,
        has_next_page=start + first < len(rows),
        end_cursor=items[-1][1] if items else None,
        total_count=len(rows),
    )
