"""The Kafka headers the outbox relay sets on every record it publishes.

Headers repeat a few envelope fields so that a consumer (or an operator with a console
tool) can route, deduplicate and trace a record without decoding its value. The relay
writes each value as UTF-8 text; the record key is the envelope's ``stream_id``, so all
events of one aggregate land on one partition, in order. The AsyncAPI document describes
the headers from this list, so the relay and the published contract cannot disagree.
``signature`` alone is not a copy: it says which relay published the record (ADR 0022).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class KafkaHeader:
    name: str
    description: str
    required: bool
    schema: dict[str, Any] = field(default_factory=dict)


EVENT_ID = KafkaHeader(
    "event_id",
    "The envelope's event_id (UUIDv7); consumers deduplicate on it.",
    required=True,
    schema={"format": "uuid"},
)
EVENT_TYPE = KafkaHeader(
    "event_type",
    "The envelope's type: the dotted wire name of the event, e.g. registry.unit_registered.",
    required=True,
    schema={"pattern": r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"},
)
SCHEMA_VERSION = KafkaHeader(
    "schema_version",
    "The envelope's schema_version as decimal text; a consumer upcasts older versions when it reads them.",
    required=True,
    schema={"pattern": r"^[1-9][0-9]*$"},
)
STREAM_ID = KafkaHeader(
    "stream_id", "The envelope's stream_id: the aggregate the event belongs to (also the record key).", required=True
)
TRACEPARENT = KafkaHeader(
    "traceparent",
    "W3C trace context of the command that recorded the event; absent when the command had none.",
    required=False,
    schema={"pattern": r"^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$"},
)
CORRELATION_ID = KafkaHeader(
    "correlation_id",
    "The envelope's correlation_id, shared by everything one request caused; absent when unset.",
    required=False,
    schema={"format": "uuid"},
)

SIGNATURE = KafkaHeader(
    "signature",
    "Who published the record: `<key id>:<MAC>`, a keyed BLAKE2b-256 (hex) of the topic name, a NUL byte "
    "and the record's value, with the event key of the service whose topic it is (ADR 0022). Consumers "
    "apply, and the gateway fans out, only records whose signature verifies.",
    required=True,
    schema={"pattern": r"^[0-9a-f]{8}:[0-9a-f]{64}$"},
)

KAFKA_HEADERS = (EVENT_ID, EVENT_TYPE, SCHEMA_VERSION, STREAM_ID, TRACEPARENT, CORRELATION_ID, SIGNATURE)
