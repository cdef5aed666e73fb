"""Bulk import through ``POST /commands/import``: per-item results, idempotent re-imports."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
import msgspec

from services.registry.application.bulk_import import KINDS, prepare, waves
from services.registry.application.import_parsing import MAX_ITEMS, RawItem
from services.registry.seed.structure import structure_items
from tests.integration.registry.conftest import Registry
from tests.support.principals import PrincipalAuth

DAY = "2020-02-01"


def _unit(code: str, name: str, level: str, parent: str | None = None, **extra: Any) -> dict[str, Any]:
    item = {"kind": "register_unit", "code": code, "name": name, "level": level, "valid_from": DAY, **extra}
    if parent is not None:
        item["parent_code"] = parent
    return item


NDJSON = {"content-type": "application/x-ndjson"}


async def _import(
    registry: Registry,
    items: list[dict[str, Any]] | bytes,
    *,
    expect: int = 200,
    headers: dict[str, str] | None = None,
    auth: PrincipalAuth | None = None,
) -> dict[str, Any]:
    # Without ``auth`` the client signs as its own principal (the test admin).
    signed = auth or httpx.USE_CLIENT_DEFAULT
    if isinstance(items, bytes):
        response = await registry.client.post("/commands/import", content=items, headers=headers, auth=signed)
    else:
        response = await registry.client.post("/commands/import", json=items, headers=headers, auth=signed)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def _count(registry: Registry, table: str) -> int:
    conn = await asyncpg.connect(registry.database_url)
    try:
        count: int = await conn.fetchval(f"SELECT count(*) FROM registry.{table}")
        return count
    finally:
        await conn.close()


async def test_importing_the_seeded_province_twice_changes_nothing_the_second_time(registry: Registry) -> None:
    items = structure_items()
    first = await _import(registry, items)
    assert (first["created"], first["unchanged"], first["rejected"]) == (len(items), 0, 0)
    assert [r["index"] for r in first["items"]] == list(range(len(items)))
    events, keys = await _count(registry, "events"), await _count(registry, "idempotency_keys")
    assert events == len(items)

    second = await _import(registry, items)

    assert (second["created"], second["unchanged"], second["rejected"]) == (0, len(items), 0)
    assert await _count(registry, "events") == events
    assert await _count(registry, "idempotency_keys") == keys
    assert [r["unit_id"] for r in second["items"]] == [r["unit_id"] for r in first["items"]]
    await registry.caught_up(timeout=60)
    communes = await registry.get("/units/list", level="commune", first=1)
    villages = await registry.get("/units/list", level="village", first=1)
    assert (communes["total_count"], villages["total_count"]) == (108, 1292)


async def test_a_bad_item_in_the_middle_is_rejected_and_the_rest_created(registry: Registry) -> None:
    items = [
        _unit("06", "Tỉnh Bắc Kạn", "province"),
        _unit("061", "Huyện Ba Bể", "district", "06"),
        _unit("01900", "Xã Lạc", "commune", "999"),
        {"kind": "launch_rocket", "code": "1"},
        _unit("01864", "Xã Bành Trạch", "commune", "061", population=12),
        _unit("01867", "Xã Phúc Lộc", "commune", "061"),
        _unit("01867", "Xã Khác", "commune", "061"),
        _unit("01867-T01", "Thôn Nà Mằm", "village", "01867", unit_type="Thôn"),
        _unit("01868", "Thôn sai cấp", "village", "061"),
    ]
    report = await _import(registry, items)
    statuses = [(r["status"], r.get("error", {}).get("code")) for r in report["items"]]
    assert statuses == [
        ("created", None),
        ("created", None),
        ("rejected", "unknown_parent"),
        ("rejected", "unknown_kind"),
        ("rejected", "invalid_item"),
        ("created", None),
        ("rejected", "duplicate_code"),
        ("created", None),
        ("rejected", "invalid_parent_level"),
    ]
    assert (report["created"], report["unchanged"], report["rejected"]) == (4, 0, 5)
    assert "population" in report["items"][4]["error"]["message"]
    assert report["items"][5]["code"] == "01867"
    assert await _count(registry, "events") == 4
    # Fixing the file and sending it again creates only what was missing.
    items[2]["parent_code"] = "061"
    again = await _import(registry, items)
    assert [r["status"] for r in again["items"][:3]] == ["unchanged", "unchanged", "created"]


async def test_an_ndjson_body_is_imported_line_by_line_and_a_broken_line_is_rejected_by_number(
    registry: Registry,
) -> None:
    lines = [
        msgspec.json.encode(_unit("06", "Tỉnh Bắc Kạn", "province")),
        b"",
        b'{"kind": "register_unit", "code": "061", "name": "Huy',
        msgspec.json.encode(_unit("063", "Huyện Bạch Thông", "district", "06")),
        b"[1, 2]",
        msgspec.json.encode(_unit("064", "Huyện Chợ Đồn", "district", "06")) + b"\r",
        b"",
    ]
    report = await _import(registry, b"\n".join(lines), headers=NDJSON)
    assert [(r["index"], r["line"], r["status"]) for r in report["items"]] == [
        (0, 1, "created"),
        (1, 3, "rejected"),
        (2, 4, "created"),
        (3, 5, "rejected"),
        (4, 6, "created"),
    ]
    assert report["items"][1]["error"]["code"] == "invalid_item"
    assert report["items"][1]["error"]["message"].startswith("line 3:")
    assert report["items"][2]["code"] == "063"


async def test_a_body_over_the_limit_or_not_an_array_is_refused_whole(registry: Registry) -> None:
    too_many = await _import(registry, [{"kind": "register_unit"}] * (MAX_ITEMS + 1), expect=413)
    assert too_many["code"] == "too_many_items"
    assert too_many["details"] == {"max_items": MAX_ITEMS, "items": MAX_ITEMS + 1}
    lines = b"\n".join([b"{}"] * (MAX_ITEMS + 1))
    assert (await _import(registry, lines, expect=413, headers=NDJSON))["code"] == ("too_many_items")
    not_array = await _import(
        registry, b'{"kind": "register_unit"}', expect=400, headers={"content-type": "application/json"}
    )
    assert not_array["code"] == "invalid_request"
    wrong_type = await _import(registry, b"<xml/>", expect=415, headers={"content-type": "text/xml"})
    assert wrong_type["code"] == "unsupported_media_type"
    assert await _count(registry, "events") == 0


async def test_units_already_there_are_unchanged_for_another_principal_and_keys_are_kept(registry: Registry) -> None:
    await registry.command(
        "units/register", {"code": "06", "name": "Tỉnh Bắc Kạn", "level": "province", "valid_from": DAY}
    )
    items = [
        _unit("06", "Tỉnh Bắc Kạn", "province"),
        _unit("061", "Huyện Ba Bể", "district", "06"),
        _unit("01864", "Xã Bành Trạch", "commune", "061"),
        _unit("01867", "Xã Phúc Lộc", "commune", "061"),
        {
            "kind": "merge_units",
            "source_codes": ["01864", "01867"],
            "effective_on": "2025-07-01",
            "successor": {**_unit("01864", "Xã Ba Bể", "commune", "061"), "valid_from": "2025-07-01"},
        },
        {"kind": "dissolve_unit", "code": "01867-X", "effective_on": "2025-07-01"},
    ]
    del items[4]["successor"]["kind"]
    first = await _import(registry, items, auth=registry.as_partner("vnpt"))
    assert [r["status"] for r in first["items"]] == [
        "unchanged",
        "created",
        "created",
        "created",
        "created",
        "rejected",
    ]
    assert first["items"][5]["error"]["code"] == "unknown_unit"
    events = await _count(registry, "events")

    other = await _import(registry, items, auth=registry.as_partner("viettel"))

    assert [r["status"] for r in other["items"][:5]] == ["unchanged"] * 5
    assert other["items"][4]["unit_id"] == first["items"][4]["unit_id"]
    assert await _count(registry, "events") == events

    keyed = {**_unit("065", "Huyện Chợ Mới", "district", "06"), "key": "district-065"}
    assert (await _import(registry, [keyed]))["created"] == 1
    reused = await _import(registry, [{**keyed, "name": "Huyện Chợ Mới Khác"}])
    assert reused["items"][0]["error"]["code"] == "idempotency_key_reused"
    by_other_key = await _import(registry, [{**keyed, "key": "another"}])
    assert by_other_key["items"][0]["error"]["code"] == "duplicate_code"


def _ready(items: list[dict[str, Any]]) -> list[Any]:
    return [prepare(RawItem(index=i, fields=item), "p", KINDS) for i, item in enumerate(items)]


def test_items_that_touch_the_same_codes_never_run_side_by_side() -> None:
    items = [
        _unit("06", "P", "province"),
        _unit("061", "D1", "district", "06"),
        _unit("062", "D2", "district", "06"),
        _unit("01", "C1", "commune", "061"),
        _unit("02", "C2", "commune", "062"),
        _unit("01-T1", "V1", "village", "01"),
        _unit("01-T2", "V2", "village", "01"),
        {"kind": "nope"},
        _unit("01-T2", "V2 again", "village", "01"),
        {"kind": "merge_units", "source_codes": ["01", "02"], "effective_on": "2025-07-01", "successor_code": "03"},
    ]
    grouped = [[p.item.index if hasattr(p, "item") else p.index for p in wave] for wave in waves(_ready(items))]
    assert grouped == [[0], [1, 2], [3, 4], [5, 6, 7], [8], [9]]
