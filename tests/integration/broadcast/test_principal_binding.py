"""A principal token is good for one service and one request (ADR 0021): one the gateway signed
for the registry is refused by the broadcast service, one for ``POST /commands/units/register``
on any other path or method; the signal configuration is the province's, refused to a
principal bound to a unit."""

from __future__ import annotations

import asyncpg

from libs.common.principal import HEADER, Principal
from tests.integration.broadcast.conftest import Platform, Province
from tests.support.principals import ADMIN, principal_headers

DISTRICT_WRITER = Principal(
    subject="district:061", partner="TTVH-061", scopes=frozenset({"broadcast:write", "read"}), unit_code="061"
)
DISTRICT_ADMIN = Principal(
    subject="district:061/admin", partner="TTVH-061", scopes=frozenset({"admin"}), unit_code="061"
)


async def _events(platform: Platform, service: str) -> int:
    conn = await asyncpg.connect(platform.database_url)
    try:
        count: int = await conn.fetchval(f"SELECT count(*) FROM {service}.events")
        return count
    finally:
        await conn.close()


async def test_a_token_for_the_registry_is_refused_by_the_broadcast_service(
    platform: Platform, province: Province
) -> None:
    """Failed before ADR 0021: every token had the audience ``tinhso-services`` (200)."""
    for_registry = principal_headers(platform.settings, ADMIN, service="registry", method="GET", path="/programmes")
    refused = await platform.broadcast.get("/programmes", headers=for_registry)
    assert refused.status_code == 401, refused.text
    assert refused.json()["code"] == "principal_invalid"
    for_broadcast = principal_headers(platform.settings, ADMIN, service="broadcast", method="GET", path="/programmes")
    assert (await platform.broadcast.get("/programmes", headers=for_broadcast)).status_code == 200


async def test_a_token_for_one_request_is_refused_on_another_path_or_method(platform: Platform) -> None:
    """Failed before ADR 0021: a token named no request, so one seen on ``POST
    /commands/units/register`` registered an organisation too (201)."""
    token = principal_headers(
        platform.settings, ADMIN, service="registry", method="POST", path="/commands/units/register"
    )
    before = await _events(platform, "registry")
    organisation = {"code": "MOBIFONE", "name": "MobiFone", "kind": "telecom"}
    other_path = await platform.registry.post("/commands/organisations/register", json=organisation, headers=token)
    unit = {"code": "06", "name": "Tỉnh Bắc Kạn", "level": "province", "valid_from": "2020-02-01"}
    for_a_get = principal_headers(
        platform.settings, ADMIN, service="registry", method="GET", path="/commands/units/register"
    )
    other_method = await platform.registry.post("/commands/units/register", json=unit, headers=for_a_get)
    for refused in (other_path, other_method):
        assert refused.status_code == 401, refused.text
        assert refused.json()["code"] == "principal_invalid"
    assert await _events(platform, "registry") == before
    allowed = await platform.registry.post("/commands/units/register", json=unit, headers=token)
    assert allowed.status_code == 201, allowed.text
    assert token[HEADER]


async def test_a_unit_bound_principal_is_refused_the_signal_configuration(platform: Platform) -> None:
    """Failed before ADR 0021: a district centre with ``broadcast:write`` set the silence
    threshold of every cluster in the province (201)."""
    before = await _events(platform, "broadcast")
    for principal in (DISTRICT_WRITER, DISTRICT_ADMIN):
        refused = await platform.command(
            "signal/configure", {"silence_threshold_seconds": 60}, expect=403, principal=principal
        )
        assert refused["code"] == "province_wide_command"
        assert refused["details"] == {"unit_code": "061"}
    assert await _events(platform, "broadcast") == before
    await platform.command("signal/configure", {"silence_threshold_seconds": 60})
