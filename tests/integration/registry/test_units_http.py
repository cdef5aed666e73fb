"""Administrative units through the registry's HTTP API: register, query, merge, search."""

from __future__ import annotations

from typing import Any

from libs.common.db import create_pool
from libs.common.projections.rebuild import rebuild
from libs.common.settings import Settings
from services.registry.entrypoints.units_projection import UnitsProjection
from tests.integration.registry.conftest import Registry


async def _province(registry: Registry) -> dict[str, Any]:
    await registry.command(
        "units/register",
        {"code": "06", "name": "Tỉnh Bắc Kạn", "level": "province", "valid_from": "2020-01-01", "unit_type": "Tỉnh"},
    )
    await registry.command(
        "units/register",
        {"code": "061", "name": "Huyện Ba Bể", "level": "district", "parent_code": "06", "valid_from": "2020-01-01"},
    )
    for code, name in [("01864", "Xã Bành Trạch"), ("01867", "Xã Phúc Lộc"), ("01870", "Thị trấn Chợ Rã")]:
        await registry.command(
            "units/register",
            {"code": code, "name": name, "level": "commune", "parent_code": "061", "valid_from": "2020-01-01"},
        )
    await registry.caught_up()
    return {}


async def test_a_registered_unit_is_found_by_code_by_id_and_under_its_parent(registry: Registry) -> None:
    await _province(registry)
    [district] = await registry.get("/units/by-code", codes="061")
    assert district["name"] == "Huyện Ba Bể"
    assert district["level"] == "district"
    [by_id] = await registry.get("/units/", ids=district["unit_id"])
    assert by_id == district
    page = await registry.get("/units/list", parent_code="061")
    assert [u["code"] for u in page["items"]] == ["01864", "01867", "01870"]
    assert page["total_count"] == 3
    province = (await registry.get("/units/by-code", codes="06"))[0]
    below = await registry.get(f"/units/{province['unit_id']}/descendants", level="commune")
    assert len(below) == 3


async def test_pages_follow_cursors_to_the_end(registry: Registry) -> None:
    await _province(registry)
    first = await registry.get("/units/list", level="commune", first=2)
    assert first["has_next_page"] is True
    second = await registry.get("/units/list", level="commune", first=2, after=first["end_cursor"])
    assert second["has_next_page"] is False
    assert [u["code"] for u in first["items"] + second["items"]] == ["01864", "01867", "01870"]


async def test_a_merge_shows_both_units_before_the_date_and_the_successor_after(registry: Registry) -> None:
    await _province(registry)
    merged = await registry.command(
        "units/merge",
        {
            "source_codes": ["01864", "01867"],
            "effective_on": "2025-07-01",
            "successor": {
                "code": "01864",
                "name": "Xã Ba Bể",
                "level": "commune",
                "parent_code": "061",
                "valid_from": "2025-07-01",
            },
        },
    )
    await registry.caught_up()
    before = await registry.get("/units/list", parent_code="061", as_of="2025-06-30")
    after = await registry.get("/units/list", parent_code="061", as_of="2025-07-01")
    assert {u["name"] for u in before["items"]} == {"Xã Bành Trạch", "Xã Phúc Lộc", "Thị trấn Chợ Rã"}
    assert {u["name"] for u in after["items"]} == {"Xã Ba Bể", "Thị trấn Chợ Rã"}
    [successor] = [u for u in after["items"] if u["name"] == "Xã Ba Bể"]
    assert successor["unit_id"] == merged["ids"][0]
    predecessors = await registry.get("/units/", ids=",".join(successor["predecessor_ids"]))
    assert {p["name"] for p in predecessors} == {"Xã Bành Trạch", "Xã Phúc Lộc"}
    assert all(p["successor_ids"] == [successor["unit_id"]] for p in predecessors)
    assert all(p["valid_to"] == "2025-07-01" for p in predecessors)
    # The reused code names the old unit before the date and the new one after it.
    [old] = await registry.get("/units/by-code", codes="01864", as_of="2024-12-31")
    [new] = await registry.get("/units/by-code", codes="01864", as_of="2025-07-01")
    assert old["name"] == "Xã Bành Trạch"
    assert new["name"] == "Xã Ba Bể"

    # The same lists for many parents at once (what the gateway's DataLoader asks), in the
    # order asked, an unknown parent with an empty page.
    [district] = await registry.get("/units/by-code", codes="061")
    [province] = await registry.get("/units/by-code", codes="06")
    parents = f"{district['unit_id']},no-such-unit,{province['unit_id']}"
    pages = await registry.get("/units/children", parent_ids=parents, as_of="2025-06-30", first=2)
    assert [p["parent_id"] for p in pages] == parents.split(",")
    under_district, unknown, under_province = (p["page"] for p in pages)
    assert [u["name"] for u in under_district["items"]] == ["Xã Bành Trạch", "Xã Phúc Lộc"]
    assert (under_district["total_count"], under_district["has_next_page"]) == (3, True)
    rest = await registry.get(
        "/units/list", parent_code="061", as_of="2025-06-30", first=2, after=under_district["end_cursor"]
    )
    assert [u["name"] for u in rest["items"]] == ["Thị trấn Chợ Rã"]
    assert unknown == {"items": [], "total_count": 0, "has_next_page": False, "end_cursor": None}
    assert [u["code"] for u in under_province["items"]] == ["061"]
    [later] = await registry.get("/units/children", parent_ids=district["unit_id"], as_of="2025-07-01")
    assert {u["name"] for u in later["page"]["items"]} == {"Xã Ba Bể", "Thị trấn Chợ Rã"}
    response = await registry.client.get("/units/children", params={"parent_ids": district["unit_id"], "first": 0})
    assert response.status_code == 400


async def test_search_without_diacritics_finds_names_with_them(registry: Registry) -> None:
    await _province(registry)
    found = await registry.get("/units/list", search="ba be")
    assert [u["name"] for u in found["items"]] == ["Huyện Ba Bể"]
    found = await registry.get("/units/list", search="CHO RA")
    assert [u["name"] for u in found["items"]] == ["Thị trấn Chợ Rã"]
    found = await registry.get("/units/list", search="bac kan")
    assert [u["code"] for u in found["items"]] == ["06"]


async def test_a_rename_keeps_the_old_name_for_earlier_dates(registry: Registry) -> None:
    await _province(registry)
    [commune] = await registry.get("/units/by-code", codes="01867")
    await registry.command(
        f"units/{commune['unit_id']}/rename", {"name": "Xã Phúc Lộc Mới", "effective_on": "2023-01-01"}
    )
    await registry.caught_up()
    [then] = await registry.get("/units/by-code", codes="01867", as_of="2022-06-01")
    [now] = await registry.get("/units/by-code", codes="01867")
    assert then["name"] == "Xã Phúc Lộc"
    assert now["name"] == "Xã Phúc Lộc Mới"
    assert (await registry.get("/units/list", search="phuc loc moi"))["total_count"] == 1


async def test_bad_input_gets_a_clear_error_code_and_changes_nothing(registry: Registry) -> None:
    await _province(registry)
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        (
            "units/register",
            {"code": "099", "name": "X", "level": "commune", "parent_code": "nope", "valid_from": "2020-01-01"},
            404,
            "unknown_parent",
        ),
        (
            "units/register",
            {"code": "01864", "name": "Trùng", "level": "commune", "parent_code": "061", "valid_from": "2021-01-01"},
            409,
            "duplicate_code",
        ),
        (
            "units/register",
            {"code": "V1", "name": "Thôn 1", "level": "village", "parent_code": "061", "valid_from": "2021-01-01"},
            400,
            "invalid_parent_level",
        ),
        (
            "units/register",
            {"code": "099", "name": "   ", "level": "commune", "parent_code": "061", "valid_from": "2020-01-01"},
            400,
            "invalid_name",
        ),
        (
            "units/register",
            {"code": "0 9", "name": "X", "level": "commune", "parent_code": "061", "valid_from": "2020-01-01"},
            400,
            "invalid_code",
        ),
        (
            "units/register",
            {"code": "098", "name": "X", "level": "commune", "parent_code": "061", "valid_from": "2019-01-01"},
            404,
            "unknown_parent",
        ),
        (
            "units/register",
            {"code": "098", "name": "X", "level": "hamlet", "valid_from": "2020-01-01"},
            400,
            "invalid_request",
        ),
    ]
    for path, body, status, code in cases:
        result = await registry.command(path, body, expect=status)
        assert result["code"] == code, (body, result)
    [commune] = await registry.get("/units/by-code", codes="01870")
    ended = await registry.command(f"units/{commune['unit_id']}/dissolve", {"effective_on": "2024-01-01"})
    assert ended["ids"] == [commune["unit_id"]]
    merge_into_dissolved = await registry.command(
        "units/merge",
        {"source_codes": ["01867"], "successor_code": "01870", "effective_on": "2024-06-01"},
        expect=404,
    )
    assert merge_into_dissolved["code"] == "unknown_unit"
    wrong_order = await registry.command(
        f"units/{commune['unit_id']}/rename", {"name": "Late", "effective_on": "2019-01-01"}, expect=400
    )
    assert wrong_order["code"] == "date_out_of_order"
    response = await registry.client.post(
        "/commands/units/register",
        content=b'{"code": "097", "name": "\\xff", "level": "province", "valid_from": "2020-01-01"}'.replace(
            b"\\xff", b"\xff"
        ),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    await registry.caught_up()
    assert (await registry.get("/units/list"))["total_count"] == 5


async def test_rebuilding_the_units_read_model_from_the_log_gives_identical_answers(
    registry: Registry, settings: Settings
) -> None:
    await _province(registry)
    await registry.command(
        "units/merge",
        {
            "source_codes": ["01864", "01867"],
            "effective_on": "2025-07-01",
            "successor": {
                "code": "01999",
                "name": "Xã Ba Bể",
                "level": "commune",
                "parent_code": "061",
                "valid_from": "2025-07-01",
            },
        },
    )
    [commune] = await registry.get("/units/by-code", codes="01870")
    await registry.command(
        f"units/{commune['unit_id']}/rename", {"name": "Thị trấn Chợ Rã Mới", "effective_on": "2023-01-01"}
    )
    await registry.caught_up()

    async def answers() -> list[Any]:
        return [
            await registry.get("/units/list", first=500),
            await registry.get("/units/list", as_of="2022-01-01", first=500),
            await registry.get("/units/list", search="cho ra"),
            await registry.get("/units/by-code", codes="01864,01870,061", as_of="2024-01-01"),
            sorted(
                await registry.get(
                    f"/units/{(await registry.get('/units/by-code', codes='06'))[0]['unit_id']}/descendants"
                )
            ),
        ]

    before = await answers()
    pool = await create_pool(settings.database_url, service="test")
    try:
        progress = await rebuild(
            UnitsProjection(),
            pool,
            topics={"registry": settings.topic("registry")},
            partitions=settings.kafka_partitions,
        )
    finally:
        await pool.close()
    assert progress.done == 9
    assert await answers() == before


async def test_characters_and_dates_postgresql_cannot_store_are_a_400_not_a_500(registry: Registry) -> None:
    await _province(registry)
    [commune] = await registry.get("/units/by-code", codes="01870")
    for path in ("/units/?ids=a%00b", "/units/a%00b/descendants"):
        response = await registry.client.get(path)
        assert response.status_code == 400, (path, response.text)
        assert response.json()["code"] == "invalid_value"
    nul = await registry.command(
        f"units/{commune['unit_id']}/dissolve", {"effective_on": "2024-01-01", "reason": "a\u0000b"}, expect=400
    )
    assert nul["code"] == "invalid_name"
    too_early = await registry.command(
        "units/merge",
        {"source_codes": ["01864", "01867"], "successor_code": "01870", "effective_on": "0001-01-01"},
        expect=400,
    )
    assert too_early["code"] == "invalid_date"


async def test_a_search_for_a_percent_sign_matches_names_with_one_not_everything(registry: Registry) -> None:
    await _province(registry)
    assert (await registry.get("/units/list", search="%"))["total_count"] == 0
    assert (await registry.get("/units/list", search="_"))["total_count"] == 0


async def test_a_merge_into_an_existing_unit_is_lineage_on_both_sides(registry: Registry) -> None:
    await _province(registry)
    merged = await registry.command(
        "units/merge", {"source_codes": ["01864"], "successor_code": "01870", "effective_on": "2024-01-01"}
    )
    await registry.caught_up()
    [source] = await registry.get("/units/by-code", codes="01864", as_of="2023-12-31")
    [target] = await registry.get("/units/", ids=merged["ids"][0])
    assert source["successor_ids"] == [target["unit_id"]]
    assert target["predecessor_ids"] == [source["unit_id"]]
