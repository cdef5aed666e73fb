"""One partition's records as the live feed takes them: verified, decoded and deduplicated.

The live consumer and a subscriber's replay read the same records and must take the same
ones, so both go through a ``RecordReader``. Only the relays' records count (ADR 0022): a
record not signed with its topic's key for the partition it is read from is dropped (so is a
genuine record copied to another partition), and so is one at or below the source position
last taken from its partition (a replayed or republished copy), so a subscriber sees each
event once. Dropped records are counted, and logged at most once per partition per 10 s.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from aiokafka import TopicPartition
from aiokafka.structs import ConsumerRecord

from libs.common.event_signing import RecordVerifier
from libs.common.log_sampling import SampledLog
from services.gateway.events.cursor import FeedCursor, Partition
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import LiveEvent

log = logging.getLogger(__name__)


class FeedRecord(msgspec.Struct, frozen=True, gc=False):
    """The fields of an ``Envelope`` the feed passes on. The id stays text: decoding a UUID to
    print it again cost as much as the rest of the envelope; the relay's signature, checked
    first, is what vouches for the record."""

    event_id: str
    stream_id: str
    type: str
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    tx_id: int
    position: int
    data: msgspec.Raw = msgspec.Raw(b"{}")

    @property
    def source_position(self) -> tuple[int, int]:
        return (self.tx_id, self.position)


_envelope = msgspec.json.Decoder(FeedRecord)
_data = msgspec.json.Decoder(dict)

SEED_RECORDS = 100
"""Records read before where a reader starts, taken but given to no one: they tell the copy
rule where the partition's events were, so a genuine record replayed after a (re)start is not
news. A writer would have to append this many replays to hide the real last one."""


class Taken(msgspec.Struct, frozen=True, gc=False):
    """A record the feed takes: its envelope and decoded data."""

    envelope: FeedRecord
    data: dict[str, Any]


class RecordReader:
    def __init__(self, verifier: RecordVerifier, services: dict[str, str]) -> None:
        self.verifier = verifier
        self.services = services
        """Topic name → the service that owns it."""
        self.untrusted = 0
        """Records dropped as not their topic's relay's."""
        self._untrusted_log = SampledLog(log, logging.WARNING)
        self._taken: dict[TopicPartition, tuple[int, int]] = {}
        """Per partition: the source position of the last record taken."""
        self._checks: dict[TopicPartition, Callable[[bytes, Sequence[tuple[str, bytes]]], str | None]] = {}
        """Per partition: the verifier's check of its records."""

    def partition(self, tp: TopicPartition) -> Partition:
        return (self.services[tp.topic], tp.partition)

    def take(
        self, tp: TopicPartition, record: ConsumerRecord[bytes, bytes], types: frozenset[str] | None = None
    ) -> Taken | None:
        """The record decoded, or ``None`` when it is not one the feed passes on; with ``types``,
        also when it is of another type (its data is not decoded, and the copy rule counts it)."""
        value = record.value
        if value is None:
            return None
        check = self._checks.get(tp)
        if check is None:
            check = self._checks[tp] = self.verifier.checker(tp.topic, tp.partition)
        untrusted = check(value, record.headers)
        if untrusted is not None:
            self.untrusted += 1
            self._untrusted_log.log(
                tp, "record at %s[%d]@%d dropped: %s", tp.topic, tp.partition, record.offset, untrusted
            )
            return None
        try:
            envelope = _envelope.decode(value)
            data = _data.decode(envelope.data) if types is None or envelope.type in types else None
        except msgspec.DecodeError:
            log.warning("undecodable record at %s[%d]@%d skipped", tp.topic, tp.partition, record.offset)
            return None
        position = (envelope.tx_id, envelope.position)
        taken = self._taken.get(tp)
        if taken is not None and position <= taken:
            return None  # a copy: already taken
        self._taken[tp] = position
        return None if data is None else Taken(envelope=envelope, data=data)


def live_event(
    taken: Taken,
    directory: UnitDirectory,
    source: tuple[Partition, int],
    after: dict[Partition, int],
    *,
    shared: bool = True,
) -> LiveEvent:
    """The event subscribers receive, read at ``source``; ``after`` is the feed's position once
    it is read. A ``shared`` event (the live consumer's, for every subscriber) has its cursor
    encoded now, once; a replayed one goes to one subscriber, which encodes it only if it
    selects it."""
    envelope, data = taken.envelope, taken.data
    unit_id = directory.unit_of(data)
    unit_code = data.get("unit_code")
    cursor = FeedCursor(offsets=after, recorded_at=envelope.recorded_at)
    return LiveEvent(
        event_id=envelope.event_id,
        type=envelope.type,
        stream_id=envelope.stream_id,
        occurred_at=envelope.occurred_at,
        recorded_at=envelope.recorded_at,
        unit_id=unit_id,
        unit_code=unit_code if isinstance(unit_code, str) else directory.code_of(unit_id),
        data=data,
        published_at=time.monotonic(),
        cursor=cursor,
        source=source,
        cursor_text=cursor.encode() if shared else None,
        data_json=envelope.data,
    )
