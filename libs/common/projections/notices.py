"""What a projection runner announces when a batch commits: each (topic, partition) whose
checkpoint moved and where it is now, on one PostgreSQL notification channel.

The runner sends it with ``pg_notify`` inside the batch's transaction, so PostgreSQL delivers it
at commit and never for a batch rolled back: a listener that hears a checkpoint knows the read
model already shows everything up to it. The gateway listens, so a mutation that returns its own
write wakes when the read model has it instead of polling (ADR 0047).

A checkpoint covers one partition, so a listener needs the partition of the stream it waits for:
``partition_of`` places a key by the rule the relay uses (the producer's default partitioner,
murmur2 over the topic's partitions), and the notice says how many partitions the topic has.
"""

from __future__ import annotations

import msgspec
from aiokafka.partitioner import DefaultPartitioner

CHANNEL = "tinhso_projection_applied"

_choose = DefaultPartitioner()


class PartitionMoved(msgspec.Struct, frozen=True, array_like=True):
    partition: int
    tx_id: int
    position: int


class TopicMoved(msgspec.Struct, frozen=True, kw_only=True):
    topic: str
    partitions: int
    """How many partitions the topic has, as the runner's consumer knows it (0: not known)."""
    moved: list[PartitionMoved]


class CheckpointsMoved(msgspec.Struct, frozen=True, kw_only=True):
    service: str
    """The service whose read model the projection fills (whose queries read it)."""
    projection: str
    topics: list[TopicMoved]


_decoder = msgspec.json.Decoder(CheckpointsMoved)


def encode(notice: CheckpointsMoved) -> str:
    # A notification payload is text of at most 8,000 bytes: a batch names each partition it
    # moved once, a few dozen bytes each.
    return msgspec.json.encode(notice).decode()


def decode(payload: str) -> CheckpointsMoved:
    return _decoder.decode(payload)


def partition_of(key: str, partitions: int) -> int:
    """The partition the relay writes a stream's events to, in a topic of ``partitions``."""
    every = list(range(partitions))
    chosen: int = _choose(key.encode(), every, every)
    return chosen
