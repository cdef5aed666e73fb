"""Envelopes no relay wrote: what integrity tests publish as a forger or a replayer would."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from contracts.envelope import Envelope


def forged_envelope(
    event_type: str,
    stream_id: str,
    stream_type: str,
    data: dict[str, Any],
    *,
    version: int = 1,
    tx_id: int,
    position: int,
) -> Envelope:
    """An envelope of ``event_type`` (schema version 1) with ``data``, dated now, claiming
    ``tx_id`` and ``position`` in its source store."""
    now = datetime.now(UTC)
    return Envelope(
        event_id=uuid.uuid4(),
        stream_id=stream_id,
        stream_type=stream_type,
        version=version,
        type=event_type,
        schema_version=1,
        occurred_at=now,
        recorded_at=now,
        tx_id=tx_id,
        position=position,
        data=msgspec.Raw(msgspec.json.encode(data)),
    )
