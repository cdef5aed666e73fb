"""Who the registry's routes let in, and what its commands answer: the scope dependencies, the
ownership rules decided in the command's transaction, and the one ``CommandResult``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from libs.common.principal import Principal
from tests.integration.registry.conftest import Registry
from tests.support.principals import PrincipalAuth

PROVINCE = {"code": "06", "name": "Tỉnh Bắc Kạn", "level": "province", "valid_from": "2020-01-01"}
DISTRICT = {"code": "061", "name": "Huyện Ba Bể", "level": "district", "parent_code": "06", "valid_from": "2020-01-01"}
OTHER = {"code": "062", "name": "Huyện Ngân Sơn", "level": "district", "parent_code": "06", "valid_from": "2020-01-01"}


def _caller(registry: Registry, *scopes: str, unit_code: str | None = None) -> PrincipalAuth:
    principal = Principal(subject="partner:test", partner="test", scopes=frozenset(scopes), unit_code=unit_code)
    return PrincipalAuth(registry.settings, principal, "registry")


async def test_a_query_needs_read_or_a_writer_that_reads_back_what_it_wrote(registry: Registry) -> None:
    """Failed before the queries declared a reader: a caller with no read scope was answered."""
    await registry.caught_up()
    for path, params in [("/units", {"ids": "x"}), ("/radio-stations", {"ids": "x"}), ("/units/list", {})]:
        refused = await registry.client.get(path, params=params, auth=_caller(registry, "metrics:write"))
        assert refused.status_code == 403, (path, refused.text)
        assert refused.json()["code"] == "forbidden"
        assert refused.json()["details"] == {"scopes": ["read", "registry:write", "broadcast:write"]}
        for scope in ("read", "registry:write", "broadcast:write"):
            allowed = await registry.client.get(path, params=params, auth=_caller(registry, scope))
            assert allowed.status_code == 200, (path, scope, allowed.text)


async def test_a_command_without_the_write_scope_is_refused_before_its_body_is_read(registry: Registry) -> None:
    response = await registry.client.post(
        "/commands/units/register", json={"nonsense": True}, auth=_caller(registry, "read")
    )
    assert response.status_code == 403
    assert response.json()["details"] == {"scope": "registry:write"}
    imported = await registry.client.post(
        "/commands/import", content=b"not json", headers={"content-type": "text/plain"}, auth=_caller(registry, "read")
    )
    assert imported.status_code == 403


async def test_a_replayed_registration_answers_the_ids_the_first_one_created(registry: Registry) -> None:
    sent = [
        await registry.client.post("/commands/units/register", json=PROVINCE, headers={"idempotency-key": "once"})
        for _ in range(2)
    ]
    assert [r.status_code for r in sent] == [201, 201]
    first, again = (r.json() for r in sent)
    assert first["replayed"] is False
    assert again["replayed"] is True
    assert again["ids"] == first["ids"]
    assert len(first["ids"]) == 1
    assert uuid.UUID(first["ids"][0]).version == 7
    assert first["stream_id"] == f"unit-{first['ids'][0]}"


async def test_a_district_centre_writes_only_below_its_own_unit(registry: Registry) -> None:
    await registry.command("units/register", PROVINCE)
    own = (await registry.command("units/register", DISTRICT))["ids"][0]
    other = (await registry.command("units/register", OTHER))["ids"][0]
    centre = _caller(registry, "registry:write", unit_code="061")

    async def status(path: str, body: Mapping[str, object]) -> tuple[int, str]:
        response = await registry.client.post(f"/commands/{path}", json=body, auth=centre)
        return response.status_code, response.json().get("code", "")

    commune = {"name": "Xã Bành Trạch", "level": "commune", "valid_from": "2020-01-01"}
    assert await status("units/register", {**commune, "code": "01864", "parent_code": "061"}) == (201, "")
    assert await status("units/register", {**commune, "code": "01900", "parent_code": "062"}) == (
        403,
        "outside_own_unit",
    )
    assert await status("units/register", {**commune, "code": "01901", "parent_code": "099"}) == (
        404,
        "unknown_parent",
    )
    rename = {"name": "Huyện Ba Bể mới", "effective_on": "2021-01-01"}
    assert await status(f"units/{own}/rename", rename) == (403, "outside_own_unit"), "not its own unit itself"
    assert await status(f"units/{other}/rename", rename) == (403, "outside_own_unit")
    assert await status(f"units/{uuid.uuid4()}/rename", rename) == (403, "outside_own_unit"), "nothing learnt"
    await registry.caught_up()
    [district] = await registry.get("/units/", ids=own)
    assert district["name"] == "Huyện Ba Bể"
