"""The gateway's side of a bulk batch without the services: cutting a body into items, what the
response cache is told a batch wrote, and the items' names in ``item_keys`` (ADR 0040, 0046,
0059)."""

from __future__ import annotations

import datetime

import msgspec
import pytest

from contracts.api.batches import MAX_BATCH_ITEMS, RelaySessionItem, SignalReportBatch, SignalReportItem
from contracts.envelope import Metadata
from libs.common.errors import InvalidInputError
from libs.common.eventstore.context import CommandContext
from libs.common.eventstore.item_batch import ItemBatch
from libs.common.eventstore.item_keys import ItemKeys, key_digest
from services.gateway.adapters.bulk_api import keys_named
from services.gateway.cache.scope import write_keys
from services.gateway.events.directory import UnitDirectory
from services.gateway.rest.bulk_body import TooManyItemsError, read_items

AT = "2026-01-05T08:00:00+07:00"


def report(cluster: str, **extra: object) -> dict[str, object]:
    return {"cluster_id": cluster, "kind": "HEARTBEAT", "observed_at": AT, **extra}


def test_a_body_of_good_items_is_every_item_at_its_place() -> None:
    body = msgspec.json.encode([report("k1"), report("k2", key="two")])
    items = read_items(body, "application/json", SignalReportItem)
    assert [(index, item.cluster_id, item.key) for index, item in items.decoded] == [(0, "k1", None), (1, "k2", "two")]
    assert items.rejected == []


def test_a_bad_item_is_rejected_alone_and_the_others_keep_their_places() -> None:
    body = msgspec.json.encode([report("k1"), {"cluster_id": "k2", "kind": "LOUD", "observed_at": AT}, report("k3")])
    items = read_items(body, "application/json", SignalReportItem)
    assert [index for index, _ in items.decoded] == [0, 2]
    [bad] = items.rejected
    assert (bad.index, bad.code) == (1, "invalid_item")
    assert "kind" in (bad.message or "")


@pytest.mark.parametrize(
    ("body", "code"),
    [(b"[]", "empty_batch"), (b'{"items": []}', "invalid_request"), (b"[1, 2", "invalid_request")],
)
def test_a_body_that_is_no_array_of_items_is_refused_whole(body: bytes, code: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        read_items(body, "application/json", SignalReportItem)
    assert refused.value.code == code


def test_too_many_items_are_refused_whole_good_or_not() -> None:
    good = msgspec.json.encode([report("k")] * (MAX_BATCH_ITEMS + 1))
    with pytest.raises(TooManyItemsError):
        read_items(good, "application/json", SignalReportItem)
    bad = msgspec.json.encode([report("k")] * MAX_BATCH_ITEMS + [{"cluster_id": 1}])
    with pytest.raises(TooManyItemsError):
        read_items(bad, "application/json", SignalReportItem)


def test_the_cache_is_told_the_keys_a_batch_names_as_its_whole_body_would_tell_it() -> None:
    units = UnitDirectory()
    units.apply("registry.unit_registered", {"unit_id": "c", "code": "06101", "parent_id": None})
    units.apply("registry.radio_station_registered", {"station_id": "s", "unit_id": "c"})
    units.apply("registry.speaker_cluster_registered", {"cluster_id": "k1", "station_id": "s", "village_id": "c"})
    path = "/commands/batches/signal-reports"
    items = [SignalReportItem(cluster_id=c, kind="HEARTBEAT", observed_at=datetime.datetime.now(datetime.UTC))
             for c in ("k1", "k2", "k1")]  # fmt: skip
    whole = write_keys(path, msgspec.json.encode(SignalReportBatch(items=items)), units)
    assert keys_named(items) == {"cluster_id": ["k1", "k2"]}
    assert write_keys(path, msgspec.json.encode(keys_named(items)), units) == whole
    assert whole is not None
    assert {"k1", "k2", "c", "06101"} <= whole

    relays = [
        RelaySessionItem(station_id="s", source="VOV1", started_at=datetime.datetime.now(datetime.UTC),
                         ended_at=datetime.datetime.now(datetime.UTC), programme_id="p1", key="a"),
        RelaySessionItem(station_id="s", source="VOV1", started_at=datetime.datetime.now(datetime.UTC),
                         ended_at=datetime.datetime.now(datetime.UTC)),
    ]  # fmt: skip
    assert keys_named(relays) == {"station_id": ["s"], "programme_id": ["p1"]}


def test_an_item_is_named_in_item_keys_by_its_callers_digest_of_its_kind_and_key() -> None:
    """The batch computes the name itself, once per item: it must stay ``key_digest``'s, or a
    retry of a batch sent before would not find its items' records."""
    ctx = CommandContext(metadata=Metadata(actor="someone", partner="viettel"))
    at = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    items = [SignalReportItem(cluster_id="k", kind="HEARTBEAT", observed_at=at, key=k) for k in ("given", None)]
    batch = ItemBatch("signal", items, ctx, ItemKeys("broadcast"))
    given, content = batch.pending
    assert given.digest == key_digest("viettel", "bulk:signal:given")
    assert content.key.startswith("sha256-")
    assert content.digest == key_digest("viettel", f"bulk:signal:{content.key}")
