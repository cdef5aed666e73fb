"""What the public ``/api/v1`` answers about the registry: the partners' shapes, pinned by
``contracts/openapi.json`` (and ``contracts/released/``).

They are a stable subset of the registry's internal answers (``contracts.api.registry_views``),
which may grow without changing the public API: a route converts what the registry answered
with :func:`public`.
"""

from __future__ import annotations

import datetime
from typing import TypeVar

import msgspec

P = TypeVar("P", bound=msgspec.Struct)


class UnitView(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str
    code: str
    name: str
    level: str
    parent_id: str | None
    valid_from: datetime.date
    valid_to: datetime.date | None
    status: str
    successor_ids: list[str] = []


class UnitPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[UnitView]
    total_count: int
    has_next_page: bool
    end_cursor: str | None


class ImportItemError(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: str
    message: str
    details: dict[str, object] = {}


class ImportItemResult(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """``created``, ``unchanged`` (already done) or ``rejected`` with ``error``."""

    index: int
    status: str
    kind: str | None = None
    line: int | None = None
    unit_id: str | None = None
    code: str | None = None
    error: ImportItemError | None = None


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    created: int
    unchanged: int
    rejected: int
    items: list[ImportItemResult]


def public(answer: object, shape: type[P]) -> P:
    """The public shape of an internal answer: its fields, the internal ones left out."""
    return msgspec.convert(answer, shape, from_attributes=True)
