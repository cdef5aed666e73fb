"""Records fetched from a partition, decoded into what a projection applies.

Decoding happens before the batch's transaction (so it can overlap the previous batch's
database work) and before the checkpoint is known: an event that fails to decode keeps its
error here and is dead-lettered only if it turns out to be fresh, never for a copy of an
event already applied.

A record not signed by its topic's relay for the partition it was read from (ADR 0022) is set
aside before anything else: nothing it claims (its type, its source position) is looked at but
to dead-letter it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import msgspec
from aiokafka.structs import ConsumerRecord

from contracts.base import Event
from contracts.envelope import Envelope
from libs.common.event_signing import RecordVerifier
from libs.common.projections.projection import Applied, Projection

_envelope = msgspec.json.Decoder(Envelope)

UNTRUSTED = "UntrustedRecord"
"""How a dead letter's error starts when its record was not the topic's relay's: it is kept
as evidence and is never re-applied."""


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
    """Records that are not envelopes at all, or not the relay's: (offset, value, error)."""
    last_offset: int = -1

    @property
    def size(self) -> int:
        return len(self.items) + len(self.undecodable)


class BatchDecoder:
    """Decodes records for one projection."""

    def __init__(self, projection: Projection, verifier: RecordVerifier) -> None:
        self.projection = projection
        self.verifier = verifier
        # Handled types at their current schema version decode straight from the envelope's
        # data (the common case, once per event); anything else takes ``item``'s general path.
        self._current: dict[str, tuple[int, Callable[[bytes], Event]]] = {}
        if type(projection).decode is Projection.decode:
            for name in projection.handles:
                catalogue = projection.sources.get(name.split(".", 1)[0])
                direct = catalogue.current_decoder(name) if catalogue is not None else None
                if direct is not None:
                    self._current[name] = direct

    def item(self, offset: int | None, envelope: Envelope) -> Decoded:
        if envelope.type not in self.projection.handles:
            return Decoded(offset, envelope, None)
        try:
            return Decoded(offset, envelope, Applied(envelope, self.projection.decode(envelope)))
        except Exception as exc:  # unknown schema version, bad data: dead-lettered if fresh
            return Decoded(offset, envelope, None, f"{type(exc).__name__}: {exc}")

    def decode_into(self, batch: PartitionBatch, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        """Append records of ``batch``'s partition, in offset order."""
        items, undecodable, current = batch.items, batch.undecodable, self._current
        decode, verify = _envelope.decode, self.verifier.checker(batch.topic, batch.partition)
        for record in records:
            value = record.value or b""
            untrusted = verify(value, record.headers)
            if untrusted is not None:
                undecodable.append((record.offset, value, f"{UNTRUSTED}: {untrusted}"))
                continue
            try:
                envelope = decode(value)
            except msgspec.DecodeError as exc:
                undecodable.append((record.offset, value, f"DecodeError: {exc}"))
                continue
            direct = current.get(envelope.type)
            if direct is not None and envelope.schema_version == direct[0]:
                try:
                    items.append(Decoded(record.offset, envelope, Applied(envelope, direct[1](envelope.data))))
                    continue
                except msgspec.DecodeError:
                    pass  # the general path records the error
            items.append(self.item(record.offset, envelope))
        if records:
            batch.last_offset = record.offset


def decode_envelope(value: bytes | None) -> Envelope | None:
    try:
        return _envelope.decode(value or b"")
    except msgspec.DecodeError:
        return None
