"""Unit groups through the registry's HTTP API (ADR 0056): created, members added and removed on
dates, the group read as of a day; refusals carry codes; only the province's operators edit
groups; a retried command with its idempotency key is answered once."""

from __future__ import annotations

from libs.common.principal import Principal
from tests.integration.registry.conftest import Registry
from tests.integration.registry.test_units_http import _province
from tests.support.principals import PrincipalAuth


def _caller(registry: Registry, *scopes: str, unit_code: str | None = None) -> PrincipalAuth:
    principal = Principal(subject="partner:test", partner="test", scopes=frozenset(scopes), unit_code=unit_code)
    return PrincipalAuth(registry.settings, principal, "registry")


async def test_a_group_s_members_join_and_leave_on_dates_and_read_as_of_a_day(registry: Registry) -> None:
    await _province(registry)
    await registry.command("unit-groups/create", {"code": "pilot_cds_2023", "name": "Xã thí điểm CĐS", "source": "doc"})
    for code in ("01864", "01867"):
        await registry.command("unit-groups/PILOT_CDS_2023/members/add", {"unit_code": code, "joined_on": "2023-01-01"})
    await registry.command(
        "unit-groups/pilot_cds_2023/members/remove", {"unit_code": "01867", "left_on": "2024-01-01", "reason": "xong"}
    )
    await registry.caught_up()

    [in_2023] = await registry.get("/unit-groups/", group_codes="pilot_cds_2023", as_of="2023-06-30")
    assert (in_2023["code"], in_2023["name"], in_2023["source"]) == ("PILOT_CDS_2023", "Xã thí điểm CĐS", "doc")
    assert [(m["unit_code"], m["unit_name"], m["level"]) for m in in_2023["members"]] == [
        ("01864", "Xã Bành Trạch", "commune"),
        ("01867", "Xã Phúc Lộc", "commune"),
    ]
    [in_2024] = await registry.get("/unit-groups/", group_codes="PILOT_CDS_2023", as_of="2024-01-01")
    assert [m["unit_code"] for m in in_2024["members"]] == ["01864"]
    [every] = await registry.get("/unit-groups/")
    assert [(m["unit_code"], m["left_on"]) for m in every["members"]] == [("01864", None), ("01867", "2024-01-01")]


async def test_group_commands_are_refused_with_codes(registry: Registry) -> None:
    await _province(registry)
    await registry.command("unit-groups/create", {"code": "BORDER", "name": "Xã biên giới"})
    again = await registry.command("unit-groups/create", {"code": "border", "name": "again"}, expect=409)
    assert again["code"] == "duplicate_unit_group"
    unknown = await registry.command(
        "unit-groups/NONE/members/add", {"unit_code": "01864", "joined_on": "2023-01-01"}, expect=404
    )
    assert unknown["code"] == "unknown_unit_group"
    no_unit = await registry.command(
        "unit-groups/BORDER/members/add", {"unit_code": "09999", "joined_on": "2023-01-01"}, expect=404
    )
    assert no_unit["code"] == "unknown_unit"
    not_in = await registry.command(
        "unit-groups/BORDER/members/remove", {"unit_code": "01864", "left_on": "2023-01-01"}, expect=409
    )
    assert not_in["code"] == "not_a_member"
    bad = await registry.command("unit-groups/create", {"code": "a b", "name": "x"}, expect=400)
    assert bad["code"] == "invalid_code"


async def test_only_the_province_s_operators_edit_groups_and_a_retry_is_answered_once(registry: Registry) -> None:
    await _province(registry)
    body = {"code": "CHO40", "name": "Chợ 4.0"}
    centre = await registry.client.post(
        "/commands/unit-groups/create", json=body, auth=_caller(registry, "registry:write", unit_code="061")
    )
    assert centre.status_code == 403, centre.text
    reader = await registry.client.post("/commands/unit-groups/create", json=body, auth=_caller(registry, "read"))
    assert reader.status_code == 403, reader.text
    department = _caller(registry, "registry:write")
    key = {"idempotency-key": "cho40-once"}
    first = await registry.client.post("/commands/unit-groups/create", json=body, auth=department, headers=key)
    retried = await registry.client.post("/commands/unit-groups/create", json=body, auth=department, headers=key)
    assert (first.status_code, retried.status_code) == (201, 201), retried.text
    assert retried.json()["event_ids"] == first.json()["event_ids"]
