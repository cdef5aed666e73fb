"""Ownership in the registry: operators write only their assets, district centres only their units."""

from __future__ import annotations

from typing import Any

from libs.common.principal import Principal
from tests.integration.gateway.security_support import (
    BA_BE_CENTRE,
    READ_ONLY,
    VIETTEL,
    VNPT,
    RegistryCaller,
    registry_caller,
    small_province,
)
from tests.support.principals import PrincipalAuth

__all__ = ["registry_caller"]

BTS = {"operator_code": "VNPT", "unit_code": "01864", "technologies": ["4G"], "commissioned_on": "2022-03-01"}


async def _status(registry: RegistryCaller, path: str, body: dict[str, Any], principal: Principal) -> int:
    return (await registry.post(path, body, principal)).status_code


async def test_viettel_cannot_change_or_register_vnpts_base_station(registry_caller: RegistryCaller) -> None:
    await small_province(registry_caller)
    bts_id = (await registry_caller.ok("bts-stations/commission", BTS, VNPT))["ids"][0]
    change = {"technologies": ["4G", "5G"], "effective_on": "2023-01-01"}
    refused = await registry_caller.post(f"bts-stations/{bts_id}/change-technologies", change, VIETTEL)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert await _status(registry_caller, "bts-stations/commission", BTS, VIETTEL) == 403
    assert await _status(registry_caller, f"bts-stations/{bts_id}/change-technologies", change, VNPT) == 201
    decommission = {"effective_on": "2024-01-01"}
    assert await _status(registry_caller, f"bts-stations/{bts_id}/decommission", decommission, VIETTEL) == 403


async def test_an_operator_registering_without_an_operator_code_becomes_the_operator(
    registry_caller: RegistryCaller,
) -> None:
    await small_province(registry_caller)
    station = {"unit_code": "01900", "technology": "IP", "installed_on": "2021-05-01"}
    station_id = (await registry_caller.ok("radio-stations/register", station, VIETTEL))["ids"][0]
    status = {"status": "DEGRADED", "effective_on": "2022-01-01"}
    assert await _status(registry_caller, f"radio-stations/{station_id}/change-status", status, VNPT) == 403
    assert await _status(registry_caller, f"radio-stations/{station_id}/change-status", status, VIETTEL) == 201
    cluster = {"station_id": station_id, "village_code": "01900-T01", "installed_on": "2021-06-01"}
    assert await _status(registry_caller, "speaker-clusters/register", cluster, VNPT) == 403
    cluster_id = (await registry_caller.ok("speaker-clusters/register", cluster, VIETTEL))["ids"][0]
    retire = {"effective_on": "2023-01-01"}
    assert await _status(registry_caller, f"speaker-clusters/{cluster_id}/decommission", retire, VNPT) == 403
    assert await _status(registry_caller, f"speaker-clusters/{cluster_id}/decommission", retire, VIETTEL) == 201


async def test_operators_do_not_change_units_organisations_or_import(registry_caller: RegistryCaller) -> None:
    ids = await small_province(registry_caller)
    village = {"code": "01864-T09", "name": "Thôn Mới", "level": "village", "parent_code": "01864"}
    assert await _status(registry_caller, "units/register", {**village, "valid_from": "2021-01-01"}, VNPT) == 403
    rename = {"name": "Xã Mới", "effective_on": "2021-01-01"}
    assert await _status(registry_caller, f"units/{ids['01864']}/rename", rename, VNPT) == 403
    org = {"code": "MOBIFONE", "name": "MobiFone", "kind": "telecom"}
    assert await _status(registry_caller, "organisations/register", org, VNPT) == 403
    response = await registry_caller.client.post(
        "/commands/import", json=[], auth=PrincipalAuth(registry_caller.settings, VNPT, "registry")
    )
    assert response.status_code == 403


async def test_a_district_centre_writes_only_within_its_district(registry_caller: RegistryCaller) -> None:
    ids = await small_province(registry_caller)
    inside = {"unit_code": "01864", "technology": "FM", "installed_on": "2021-01-01"}
    outside = {**inside, "unit_code": "01900"}
    refused = await registry_caller.post("radio-stations/register", outside, BA_BE_CENTRE)
    assert refused.status_code == 403
    # the refusal broadcast and metrics give too (libs.common.reach): the code, the caller's unit
    assert (refused.json()["code"], refused.json()["details"]["own_unit_code"]) == ("outside_own_unit", "061")
    station_id = (await registry_caller.ok("radio-stations/register", inside, BA_BE_CENTRE))["ids"][0]
    status = {"status": "DOWN", "effective_on": "2022-01-01"}
    assert await _status(registry_caller, f"radio-stations/{station_id}/change-status", status, BA_BE_CENTRE) == 201

    village = {"name": "Thôn Mới", "level": "village", "valid_from": "2021-01-01"}
    new_inside = {**village, "code": "01864-T09", "parent_code": "01864"}
    new_outside = {**village, "code": "01900-T09", "parent_code": "01900"}
    assert await _status(registry_caller, "units/register", new_outside, BA_BE_CENTRE) == 403
    assert await _status(registry_caller, "units/register", new_inside, BA_BE_CENTRE) == 201
    province = {"code": "07", "name": "Tỉnh Khác", "level": "province", "valid_from": "2021-01-01"}
    assert await _status(registry_caller, "units/register", province, BA_BE_CENTRE) == 403

    rename = {"name": "Tên Mới", "effective_on": "2021-06-01"}
    assert await _status(registry_caller, f"units/{ids['01864-T01']}/rename", rename, BA_BE_CENTRE) == 201
    assert await _status(registry_caller, f"units/{ids['01900-T01']}/rename", rename, BA_BE_CENTRE) == 403
    itself = await registry_caller.post(f"units/{ids['061']}/rename", rename, BA_BE_CENTRE)
    assert (itself.status_code, itself.json()["code"]) == (403, "outside_own_unit")

    team = {"unit_code": "01900", "level": "commune", "established_on": "2021-01-01", "member_count": 5}
    assert await _status(registry_caller, "digital-teams/establish", team, BA_BE_CENTRE) == 403
    team_id = (await registry_caller.ok("digital-teams/establish", {**team, "unit_code": "01864"}, BA_BE_CENTRE))[
        "ids"
    ][0]
    members = {"member_count": 7, "effective_on": "2022-01-01"}
    assert await _status(registry_caller, f"digital-teams/{team_id}/change-members", members, BA_BE_CENTRE) == 201


async def test_writes_need_the_registry_write_scope_and_admin_bypasses_ownership(
    registry_caller: RegistryCaller,
) -> None:
    await small_province(registry_caller)
    station = {"unit_code": "01864", "technology": "FM", "installed_on": "2021-01-01"}
    refused = await registry_caller.post("radio-stations/register", station, READ_ONLY)
    assert refused.status_code == 403
    assert refused.json()["details"] == {"scope": "registry:write"}
    bts_id = (await registry_caller.ok("bts-stations/commission", BTS, VNPT))["ids"][0]
    change = {"technologies": ["5G"], "effective_on": "2023-01-01"}
    assert (await registry_caller.post(f"bts-stations/{bts_id}/change-technologies", change)).status_code == 201
