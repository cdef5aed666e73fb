"""What a command answers: the stream it changed, its version after, the events appended."""

from __future__ import annotations

from uuid import UUID

import msgspec


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    stream_id: str
    version: int
    event_ids: list[UUID]
    replayed: bool = False


_decoder = msgspec.json.Decoder(CommandResult)


def replayed(record: bytes) -> CommandResult:
    """The result remembered for an idempotency key, as the answer to a request sent again."""
    return msgspec.structs.replace(_decoder.decode(record), replayed=True)
