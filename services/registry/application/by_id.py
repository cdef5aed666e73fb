"""The input of a command on an entity its route names in the path (``/units/{unit_id}/rename``):
the id and the body, one typed value the handler takes and the idempotency key hashes."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

B = TypeVar("B")


class ById(msgspec.Struct, Generic[B], frozen=True, kw_only=True):
    id: str
    body: B
