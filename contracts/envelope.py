"""The envelope around every event on a topic, and the metadata a command attaches.

The envelope carries what consumers need to order, deduplicate and trace an event without
decoding its data: ids, the stream and its version, the source position in the store it came
from (``tx_id``, ``position``), who did it (actor, partner) and the trace context.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class Metadata(msgspec.Struct, frozen=True, kw_only=True):
    """Who and why: attached by the command path to every event it appends."""

    actor: str | None = None
    partner: str | None = None
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    traceparent: str | None = None


# gc=False: a projection holds thousands of envelopes per batch, and none can be part of a
# reference cycle (frozen, scalar fields), so the cyclic collector need not track them.
class Envelope(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    event_id: UUID
    stream_id: str
    stream_type: str
    version: int
    type: str
    schema_version: int
    occurred_at: datetime
    recorded_at: datetime
    tx_id: int
    position: int
    actor: str | None = None
    partner: str | None = None
    correlation_id: UUID | None = None
    causation_id: UUID | None = None
    traceparent: str | None = None
    data: msgspec.Raw = msgspec.Raw(b"{}")

    @property
    def source_position(self) -> tuple[int, int]:
        """Order of commit in the source store; consumers skip what is at or below it."""
        return (self.tx_id, self.position)
