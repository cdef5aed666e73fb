"""Relay cursor pagination: page sizes and the cursors of the registry's unit listings."""

from __future__ import annotations

import base64
import datetime
from typing import Protocol

import msgspec

from libs.common.errors import InvalidInputError

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
"""The page a connection returns when ``first`` is left out or null."""


def checked_first(first: int | None, default: int = DEFAULT_PAGE_SIZE) -> int:
    """``first`` within 1..200, or a VALIDATION error naming the bound."""
    value = default if first is None else first
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidInputError(
            f"first must be between 1 and {MAX_PAGE_SIZE}, not {value}",
            code="validation",
            details={"argument": "first", "max": MAX_PAGE_SIZE},
        )
    return value


def unit_cursor(code: str, unit_id: str) -> str:
    """The registry pages units by (code, id) and reads its ``after`` cursor in this form, so an
    edge's cursor can be handed back to it as it is."""
    return base64.urlsafe_b64encode(msgspec.json.encode([code, unit_id])).decode()


class _Dated(Protocol):
    @property
    def air_date(self) -> datetime.date: ...

    @property
    def programme_id(self) -> str: ...


def programme_cursor(programme: _Dated) -> str:
    """The broadcast service pages programmes by (air date, id) with this cursor."""
    return base64.urlsafe_b64encode(f"{programme.air_date.isoformat()}|{programme.programme_id}".encode()).decode()
