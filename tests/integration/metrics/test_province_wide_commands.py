"""The indicator catalogue and the alert thresholds are the province's: a principal bound to a
unit (a district centre) may not change them, whatever its scopes. The gateway never sends
these commands on a partner's behalf, so only a caller around it could (ADR 0021)."""

from __future__ import annotations

import asyncpg
import pytest

from libs.common.principal import Principal
from tests.integration.metrics.conftest import Metrics
from tests.support.principals import PrincipalAuth

DISTRICT_WRITER = Principal(
    subject="district:061", partner="TTVH-061", scopes=frozenset({"metrics:write", "read"}), unit_code="061"
)
DISTRICT_ADMIN = Principal(
    subject="district:061/admin", partner="TTVH-061", scopes=frozenset({"admin"}), unit_code="061"
)
OPERATOR = Principal(subject="partner:vnpt", partner="VNPT", scopes=frozenset({"metrics:write", "read"}))
PROVINCE_ADMIN = Principal(subject="province:stats", partner="SO-TT", scopes=frozenset({"admin"}))

DEFINITION = {"code": "test.count", "name_vi": "x", "name_en": "x", "unit": "count", "kind": "stock",
              "rollup": "sum", "method": "reported", "group": "test"}  # fmt: skip
THRESHOLD = {"indicator_code": "radio.clusters.online_share", "operator": "lt", "threshold": 90, "level": "commune"}
COMMANDS = [
    ("catalogue/define", {"indicators": [DEFINITION]}),
    ("catalogue/seed", None),
    ("catalogue/radio.clusters.online_share/retire", {"reason": "replaced"}),
    ("thresholds/set", THRESHOLD),
    ("thresholds/radio.clusters.online_share/remove", None),
]


@pytest.mark.parametrize(("path", "body"), COMMANDS, ids=[path for path, _ in COMMANDS])
async def test_a_unit_bound_principal_is_refused_each_province_wide_command(
    metrics: Metrics, path: str, body: dict[str, object] | None
) -> None:
    """Failed before ADR 0021: a district centre with ``metrics:write`` changed the catalogue
    and the thresholds of the whole province (201). Failed before the catalogue became the
    administrator's (issue #18): an operator with ``metrics:write`` (VNPT) did the same."""
    province = PrincipalAuth(metrics.settings, PROVINCE_ADMIN, "metrics")
    if path.endswith("/remove"):  # something to remove
        assert (await metrics.client.post("/commands/thresholds/set", json=THRESHOLD, auth=province)).status_code == 201
    conn = await asyncpg.connect(metrics.database_url)
    # The service seeds its catalogue in the background at start-up: counted before it lands,
    # its events would look like a refused command's.
    await metrics.catalogue_ready()
    before = await conn.fetchval("SELECT count(*) FROM metrics.events")
    # A district's writer and an operator lack ``admin``; a district's admin is bound to its unit.
    refusals = (
        (DISTRICT_WRITER, "forbidden", {"scope": "admin"}),
        (OPERATOR, "forbidden", {"scope": "admin"}),
        (DISTRICT_ADMIN, "province_wide_command", {"unit_code": "061"}),
    )
    for principal, code, details in refusals:
        auth = PrincipalAuth(metrics.settings, principal, "metrics")
        refused = await metrics.client.post(f"/commands/{path}", json=body, auth=auth)
        assert refused.status_code == 403, refused.text
        assert (refused.json()["code"], refused.json()["details"]) == (code, details), principal.subject
    assert await conn.fetchval("SELECT count(*) FROM metrics.events") == before
    await conn.close()
    allowed = await metrics.client.post(f"/commands/{path}", json=body, auth=province)
    assert allowed.status_code in (200, 201), allowed.text
