"""Where a subscriber is in the live feed: the resume cursor it passes as ``after``.

The feed merges every partition of the three service topics, and each gateway replica reads
them at its own pace, so the events before a given one differ from replica to replica: an
event id alone does not say where a subscriber is. A cursor does: for each partition, the
offset of the first record the subscriber has not been given (every record below it was read
and, if it matched, delivered). Offsets are the broker's, the same for every replica, so any
replica resumes a cursor another one issued, after a restart too. The cursor also carries the
time its event was recorded, which the retention check reads without asking the broker.

Partitions are named by service (``registry``, not the prefixed topic) and index, so a
cursor does not depend on ``TINHSO_TOPIC_PREFIX``. On the wire it is ``c1.`` and URL-safe
base64 of a msgpack array; the version prefix lets a later layout be read beside this one.
See docs/adr/0032-live-feed-resume.md.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Mapping

import msgspec

from libs.common.errors import InvalidInputError

PREFIX = "c1."
MAX_CURSOR_CHARS = 4096
"""Far above a real cursor (three topics of a few partitions: under 100 characters)."""

Partition = tuple[str, int]
"""A partition of a service's topic: (service name, partition index)."""


class InvalidCursorError(InvalidInputError):
    code = "invalid_cursor"


class _Wire(msgspec.Struct, array_like=True, frozen=True):
    recorded_ms: int
    offsets: dict[str, list[int]]


_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(_Wire)


class FeedCursor(msgspec.Struct, frozen=True):
    """Per partition, the next offset to read; ``recorded_at`` is the last event's."""

    offsets: Mapping[Partition, int]
    recorded_at: datetime.datetime

    def encode(self) -> str:
        per_service: dict[str, list[int]] = {}
        for (service, partition), offset in sorted(self.offsets.items()):
            row = per_service.setdefault(service, [])
            row.extend([0] * (partition + 1 - len(row)))
            row[partition] = offset
        wire = _Wire(recorded_ms=int(self.recorded_at.timestamp() * 1000), offsets=per_service)
        return PREFIX + base64.urlsafe_b64encode(_encoder.encode(wire)).rstrip(b"=").decode()


def is_cursor(value: str) -> bool:
    return value.startswith(PREFIX)


def decode_cursor(value: str) -> FeedCursor:
    """The cursor ``value`` names; a malformed one is the caller's error (``invalid_cursor``)."""
    if not is_cursor(value) or len(value) > MAX_CURSOR_CHARS:
        raise InvalidCursorError("`after` is not a cursor this gateway issued", details={"after": value[:80]})
    text = value[len(PREFIX) :]
    try:
        wire = _decoder.decode(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        recorded_at = datetime.datetime.fromtimestamp(wire.recorded_ms / 1000, tz=datetime.UTC)
    except (binascii.Error, ValueError, OverflowError, OSError, msgspec.DecodeError):
        raise InvalidCursorError("`after` is not a cursor this gateway issued", details={"after": value[:80]}) from None
    offsets: dict[Partition, int] = {}
    for service, row in wire.offsets.items():
        for partition, offset in enumerate(row):
            if offset < 0:
                raise InvalidCursorError("`after` is not a cursor this gateway issued", details={"after": value[:80]})
            offsets[(service, partition)] = offset
    return FeedCursor(offsets=offsets, recorded_at=recorded_at)
