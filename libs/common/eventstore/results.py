"""What every command of every service answers: the ids it created or acted on, the stream it
changed, its version after, the events appended, where the last of the stream's events stands in
the service's log, and whether it is the remembered answer to a request sent again (an
idempotency key's replay)."""

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
    position: tuple[int, int] | None = None
    """The source position (``tx_id``, ``position``) of the last event appended to ``stream_id``:
    a projection has applied the command once its checkpoint on the stream's partition reaches
    it (what a gateway mutation waits for, ADR 0047). ``None`` when nothing was appended to the
    stream, and in answers remembered before positions were recorded."""
    replayed: bool = False


_decoder = msgspec.json.Decoder(CommandResult)


def replayed(record: bytes) -> CommandResult:
    """The result remembered for an idempotency key, as the answer to a request sent again."""
    return msgspec.structs.replace(_decoder.decode(record), replayed=True)
