"""What a command answers: the stream it changed, its version after, the events appended."""

from __future__ import annotations

from uuid import UUID

import msgspec


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    stream_id: str
    version: int
    event_ids: list[UUID]
    replayed: bool = False


result_decoder = msgspec.json.Decoder(CommandResult)
"""Reads a result remembered for an idempotency key."""
