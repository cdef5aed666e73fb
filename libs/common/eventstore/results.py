"""What every command of every service answers: the ids it created or acted on, the stream it
changed, its version after, the events appended, and whether it is the remembered answer to a
request sent again (an idempotency key's replay)."""

from __future__ import annotations

from uuid import UUID

import msgspec


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    ids: list[str] = []
    """What the command created or acted on, the main one first (the stream's entity for a
    command on one aggregate); the idempotency record remembers them."""
    stream_id: str
    version: int
    event_ids: list[UUID]
    replayed: bool = False


_decoder = msgspec.json.Decoder(CommandResult)


def replayed(record: bytes) -> CommandResult:
    """The result remembered for an idempotency key, as the answer to a request sent again."""
    return msgspec.structs.replace(_decoder.decode(record), replayed=True)
