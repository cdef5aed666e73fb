"""Records fetched from a partition, decoded into what a projection applies.

Decoding happens before the batch's transaction (so it can overlap the previous batch's
database work) and before the checkpoint is known: an event that fails to decode keeps its
error here and is dead-lettered only if it turns out to be fresh, never for a copy of an
event already applied.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import msgspec

from contracts.envelope import Envelope
from libs.common.projections.projection import Applied, Projection

_envelope = msgspec.json.Decoder(Envelope)


class Decoded(msgspec.Struct, frozen=True, gc=False):
    """One envelope and what became of its data. ``applied`` is ``None`` for an event the
    projection does not handle (it only moves the checkpoint) and for one whose data could
    not be decoded (``error`` then says why)."""

    offset: int | None
    envelope: Envelope
    applied: Applied | None
    error: str | None = None


@dataclass
class PartitionBatch:
    """Consecutive records of one partition, in offset order."""

    topic: str
    partition: int
    items: list[Decoded] = field(default_factory=list)
    undecodable: list[tuple[int, bytes, str]] = field(default_factory=list)
    """Records that are not envelopes at all: (offset, value, error)."""
    last_offset: int = -1

    @property
    def size(self) -> int:
        return len(self.items) + len(self.undecodable)


def decode_item(projection: Projection, offset: int | None, envelope: Envelope) -> Decoded:
    if envelope.type not in projection.handles:
        return Decoded(offset, envelope, None)
    try:
        return Decoded(offset, envelope, Applied(envelope, projection.decode(envelope)))
    except Exception as exc:  # unknown schema version, bad data: dead-lettered if fresh
        return Decoded(offset, envelope, None, f"{type(exc).__name__}: {exc}")


def decode_into(batch: PartitionBatch, projection: Projection, records: Iterable[tuple[int, bytes | None]]) -> None:
    """Append ``(offset, value)`` records to ``batch``."""
    items, undecodable, handles = batch.items, batch.undecodable, projection.handles
    offset = batch.last_offset
    for offset, value in records:
        try:
            envelope = _envelope.decode(value or b"")
        except msgspec.DecodeError as exc:
            undecodable.append((offset, value or b"", str(exc)))
            continue
        if envelope.type in handles:
            items.append(decode_item(projection, offset, envelope))
        else:
            items.append(Decoded(offset, envelope, None))
    batch.last_offset = offset


def decode_envelope(value: bytes | None) -> Envelope | None:
    try:
        return _envelope.decode(value or b"")
    except msgspec.DecodeError:
        return None
