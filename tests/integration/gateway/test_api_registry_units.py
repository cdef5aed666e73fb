"""Units renamed, re-parented, split and dissolved through the gateway, in GraphQL and REST
(``mutations_registry``, ``rest/registry_routes``): the change from its day on, the day before
as it was, a retried key acting once, and a refusal reaching the partner with its code."""

from __future__ import annotations

from tests.integration.gateway.registry_platform import RegistryPlatform, registry

__all__ = ["registry"]

UNIT = "query($code: String!, $asOf: Date) { unit(code: $code, asOf: $asOf) { name validTo parent { code } } }"
RENAME = "mutation($input: RenameUnitInput!) { renameUnit(input: $input) { code name validFrom } }"
REPARENT = "mutation($input: ReparentUnitInput!) { reparentUnit(input: $input) { code parent { code } } }"
SPLIT = "mutation($input: SplitUnitInput!) { splitUnit(input: $input) { code name validFrom } }"
DISSOLVE = "mutation($input: DissolveUnitInput!) { dissolveUnit(input: $input) { code validTo } }"


class TestRenameUnit:
    async def test_a_centre_renames_a_commune_from_a_day_and_the_day_before_keeps_the_old_name(
        self, registry: RegistryPlatform
    ) -> None:
        code = await registry.commune()
        rename = {"code": code, "name": "Xã Đổi Tên", "effectiveDate": "2025-07-01", "idempotencyKey": f"rn-{code}"}
        renamed = (await registry.data(RENAME, {"input": rename}, who="centre"))["renameUnit"]
        assert renamed["name"] == "Xã Đổi Tên"
        before = await registry.data(UNIT, {"code": code, "asOf": "2025-06-30"})
        assert before["unit"]["name"] == f"Xã {code}"
        again = await registry.data(RENAME, {"input": rename}, who="centre")
        assert again["renameUnit"] == renamed

    async def test_a_commune_cannot_rename_its_district_and_rest_says_so_with_the_code(
        self, registry: RegistryPlatform
    ) -> None:
        rename = {"code": "061", "name": "Huyện Khác", "effectiveDate": "2025-07-01"}
        error = await registry.error(RENAME, {"input": rename}, who="commune")
        assert error["extensions"]["code"] == "OUTSIDE_OWN_UNIT"
        http = registry.platform.http
        body = {"name": "Huyện Khác", "effective_on": "2025-07-01"}
        response = await http.post("/api/v1/units/061/rename", json=body, headers=registry.platform.auth("commune"))
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "outside_own_unit"
        response = await http.post("/api/v1/units/NOPE/rename", json=body, headers=registry.platform.auth("centre"))
        assert (response.status_code, response.json()["code"]) == (404, "unknown_unit")

    async def test_rest_renames_with_the_registrys_body_and_answers_the_unit_id(
        self, registry: RegistryPlatform
    ) -> None:
        code = await registry.commune()
        body = {"name": "Xã Qua REST", "effective_on": "2025-01-01"}
        headers = registry.platform.auth("centre") | {"idempotency-key": f"rest-rn-{code}"}
        response = await registry.platform.http.post(f"/api/v1/units/{code}/rename", json=body, headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["replayed"] is False
        replay = await registry.platform.http.post(f"/api/v1/units/{code}/rename", json=body, headers=headers)
        assert replay.json() == {**response.json(), "replayed": True}
        unit = await registry.platform.eventually(
            lambda: registry.data(UNIT, {"code": code, "asOf": "2025-01-02"}), timeout=10
        )
        assert unit["unit"]["name"] == "Xã Qua REST"


class TestReparentUnit:
    async def test_a_village_moves_to_another_commune_from_a_day(self, registry: RegistryPlatform) -> None:
        source, target = await registry.commune(villages=1), await registry.commune()
        move = {"code": f"{source}-V1", "parentCode": target, "effectiveDate": "2025-03-01"}
        moved = (await registry.data(REPARENT, {"input": move}, who="centre"))["reparentUnit"]
        assert moved["parent"]["code"] == target
        before = await registry.data(UNIT, {"code": f"{source}-V1", "asOf": "2025-02-28"})
        assert before["unit"]["parent"]["code"] == source

    async def test_an_operator_may_not_move_units(self, registry: RegistryPlatform) -> None:
        source, target = await registry.commune(villages=1), await registry.commune()
        move = {"code": f"{source}-V1", "parentCode": target, "effectiveDate": "2025-03-01"}
        assert (await registry.error(REPARENT, {"input": move}, who="vnpt"))["extensions"]["code"] == "FORBIDDEN"


class TestSplitUnit:
    async def test_a_commune_splits_into_two_that_exist_from_the_day(self, registry: RegistryPlatform) -> None:
        code = await registry.commune()
        successors = [
            {"code": f"{code}1", "name": "Xã Bắc", "level": "COMMUNE", "parentCode": "061", "validFrom": "2025-07-01"},
            {"code": f"{code}2", "name": "Xã Nam", "level": "COMMUNE", "parentCode": "061", "validFrom": "2025-07-01"},
        ]
        split = {"code": code, "successors": successors, "effectiveDate": "2025-07-01", "idempotencyKey": f"sp-{code}"}
        made = (await registry.data(SPLIT, {"input": split}, who="centre"))["splitUnit"]
        assert [(u["code"], u["name"]) for u in made] == [(f"{code}1", "Xã Bắc"), (f"{code}2", "Xã Nam")]
        # Retried with its key once the unit has ended: the same answer, not "no such unit".
        assert (await registry.data(SPLIT, {"input": split}, who="centre"))["splitUnit"] == made
        ended = await registry.data(UNIT, {"code": code, "asOf": "2025-06-30"})
        assert ended["unit"]["validTo"] == "2025-07-01"


class TestDissolveUnit:
    async def test_a_village_ends_on_the_day_without_successor(self, registry: RegistryPlatform) -> None:
        code = await registry.commune(villages=1)
        dissolve = {"code": f"{code}-V1", "effectiveDate": "2025-03-01", "reason": "sáp nhập dân cư"}
        dissolve["idempotencyKey"] = f"ds-{code}"
        ended = await registry.data(DISSOLVE, {"input": dissolve}, who="centre")
        assert ended == {"dissolveUnit": {"code": f"{code}-V1", "validTo": "2025-03-01"}}
        assert await registry.data(DISSOLVE, {"input": dissolve}, who="centre") == ended
