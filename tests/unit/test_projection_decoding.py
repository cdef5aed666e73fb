"""Records decoded for a projection: the direct path for current events must give what the
general path (catalogue, upcasters) gives, and everything else keeps its error for later."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import ClassVar

import msgspec
from aiokafka.structs import ConsumerRecord

from contracts.catalogue import EventCatalogue
from contracts.envelope import Envelope
from contracts.registry_events import CATALOGUE, UnitRegistered
from libs.common.db import Conn
from libs.common.event_signing import RecordSigner
from libs.common.projections.decoding import UNTRUSTED, BatchDecoder, PartitionBatch
from libs.common.projections.projection import Applied, Projection
from tests.support.event_keys import TEST_KEY, verifier

STORED_V1 = (
    '{"type":"registry.unit_registered","unit_id":"u-1","code":"01834",'
    '"ten":"Phường Nguyễn Thị Minh Khai","level":"commune","parent_id":"u-058"}'
).encode()
CURRENT = UnitRegistered(
    unit_id="u-2", code="02", name="Tỉnh Bắc Kạn", level="province", valid_from=datetime.date(2025, 7, 1)
)


class Units(Projection):
    name: ClassVar[str] = "test_units"
    service: ClassVar[str] = "test"
    sources: ClassVar[dict[str, EventCatalogue]] = {"registry": CATALOGUE}
    handles: ClassVar[frozenset[str]] = frozenset({"registry.unit_registered"})

    def tables_sql(self, schema: str) -> str:
        return ""

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        raise NotImplementedError


def envelope(type_name: str, schema_version: int, data: bytes, position: int = 1) -> Envelope:
    now = datetime.datetime.now(datetime.UTC)
    return Envelope(
        event_id=uuid.uuid4(),
        stream_id="u-1",
        stream_type="unit",
        version=position,
        type=type_name,
        schema_version=schema_version,
        occurred_at=now,
        recorded_at=now,
        tx_id=7,
        position=position,
        data=msgspec.Raw(data),
    )


def record(offset: int, value: bytes, *, signed: bool = True) -> ConsumerRecord[bytes, bytes]:
    headers = [RecordSigner(TEST_KEY, "t").header(value, 0)] if signed else []
    return ConsumerRecord("t", 0, offset, 0, 0, None, value, None, 0, len(value), headers)


def decoded(values: list[bytes], *, signed: bool = True) -> PartitionBatch:
    batch = PartitionBatch("t", 0)
    records = [record(10 + i, v, signed=signed) for i, v in enumerate(values)]
    BatchDecoder(Units(), verifier("t")).decode_into(batch, records)
    return batch


def test_a_record_not_signed_by_the_relay_is_set_aside_without_being_decoded() -> None:
    """Before the fix the decoder checked no signature: an unsigned record was decoded and applied."""
    env = envelope("registry.unit_registered", 2, msgspec.json.encode(CURRENT))

    batch = decoded([msgspec.json.encode(env)], signed=False)

    assert batch.items == []
    [(offset, _, error)] = batch.undecodable
    assert offset == 10
    assert error.startswith(f"{UNTRUSTED}: not signed")
    assert batch.last_offset == 10


def test_a_current_event_decodes_directly_to_what_the_catalogue_gives() -> None:
    env = envelope("registry.unit_registered", 2, msgspec.json.encode(CURRENT))

    batch = decoded([msgspec.json.encode(env)])

    [item] = batch.items
    assert item.applied is not None
    assert item.applied.event == CURRENT == CATALOGUE.decode(env.type, 2, env.data)
    assert item.applied.envelope == env
    assert (item.offset, item.error, batch.last_offset) == (10, None, 10)


def test_an_old_version_is_lifted_by_its_upcaster() -> None:
    batch = decoded([msgspec.json.encode(envelope("registry.unit_registered", 1, STORED_V1))])

    [item] = batch.items
    assert item.applied is not None
    assert isinstance(item.applied.event, UnitRegistered)
    assert item.applied.event.name == "Phường Nguyễn Thị Minh Khai"
    assert item.applied.event.valid_from == datetime.date(2020, 1, 1)


def test_bad_data_and_unknown_versions_keep_their_error_and_unhandled_types_only_pass() -> None:
    values = [
        envelope("registry.unit_registered", 2, b'{"type":"registry.unit_registered","unit_id":5}', 1),
        envelope("registry.unit_registered", 3, msgspec.json.encode(CURRENT), 2),
        envelope("registry.unit_renamed", 1, b"{}", 3),
    ]

    batch = decoded([msgspec.json.encode(v) for v in values])

    bad, newer, unhandled = batch.items
    assert bad.applied is None
    assert bad.error is not None
    assert bad.error.startswith("ValidationError:")
    assert newer.applied is None
    assert newer.error is not None
    assert "newer" in newer.error
    assert (unhandled.applied, unhandled.error) == (None, None)
    assert [i.envelope.position for i in batch.items] == [1, 2, 3]


def test_a_record_that_is_no_envelope_is_kept_with_its_bytes() -> None:
    good = msgspec.json.encode(envelope("registry.unit_registered", 2, msgspec.json.encode(CURRENT)))

    batch = decoded([b"not json", good])

    assert [(offset, raw) for offset, raw, _ in batch.undecodable] == [(10, b"not json")]
    assert [i.offset for i in batch.items] == [11]
    assert (batch.size, batch.last_offset) == (2, 11)
