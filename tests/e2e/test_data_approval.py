"""One quarter of a district's values through data approval, on ``tinhso up`` as a user runs it
(issue #22, "Done when"; ADR 0055): Ba Bể's centre reports its telecom figures for the quarter
and submits them, approves them as their district, the province approves them and so locks
them; a correction is refused with 409 and a code; the province reopens them with a reason and
the correction is accepted. Everything goes through the gateway, GraphQL and ``/api/v1``, and
every step is on the live feed."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from libs.common.db import create_pool
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from tests.e2e.platform_process import PlatformProcess

pytestmark = pytest.mark.slow

QUARTER = "2026Q3"
DISTRICT = "061"
VALUES = {"telecom.fibre_km": 412.5, "telecom.bts_all_operators": 86, "telecom.coverage_4g": 97.2}
PARTNERS = {
    "admin": Partner(name="e2e-admin", scopes=frozenset({"admin"})),
    "centre": Partner(name="e2e-ba-be", scopes=frozenset({"read", "metrics:write"}), unit_code=DISTRICT),
    "province": Partner(name="e2e-so-tt", scopes=frozenset({"read", "metrics:write"})),
}
REGISTER_UNIT = "mutation($input: RegisterUnitInput!) { registerUnit(input: $input) { code } }"
REPORT = "mutation($input: ReportIndicatorValueInput!) { reportIndicatorValue(input: $input) { value } }"
APPROVE = "mutation($input: ApproveDataInput!) { approveData(input: $input) { status steps { step by } } }"
REOPEN = "mutation($input: ReopenDataInput!) { reopenData(input: $input) { status steps { step reason } } }"
STATUS = """
query($period: Period!) {
  dataApproval(indicatorSet: "telecom", unitCode: "061", period: $period) { status steps { step by at } }
}
"""
FEED = "subscription($after: ID) { events(types: [{types}], after: $after) { type unitCode data } }"
APPROVAL_EVENTS = ("metrics.data_submitted", "metrics.data_approved", "metrics.data_locked", "metrics.data_reopened")


@pytest.fixture
def platform(tmp_path: Path) -> Any:
    # A loaded machine: the platform's readiness deadline is not what this test is about.
    process = PlatformProcess(tmp_path / "state", {"TINHSO_READY_TIMEOUT_SECONDS": "240"})
    yield process
    process.kill_everything()


def _keys(database_url: str) -> dict[str, str]:
    async def create() -> dict[str, str]:
        pool = await create_pool(database_url, service="test", max_size=1)
        try:
            return {who: await PartnerStore(pool).create(partner) for who, partner in PARTNERS.items()}
        finally:
            await pool.close()

    return asyncio.run(create())


class Gateway:
    def __init__(self, platform: PlatformProcess, keys: dict[str, str]) -> None:
        self.http = httpx.Client(base_url=platform.url("gateway", ""), timeout=30)
        self.keys = keys
        self.ws_url = platform.url("gateway", "/graphql").replace("http://", "ws://")

    def auth(self, who: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.keys[who]}"}

    def graphql(self, who: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=self.auth(who)
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def data(self, who: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        result = self.graphql(who, query, variables)
        assert not result.get("errors"), result["errors"]
        data: dict[str, Any] = result["data"]
        return data

    def rest(self, who: str, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(f"/api/v1{path}", json=body, headers=self.auth(who))

    def report_when_known(self, code: str, value: float) -> None:
        """The metrics service learns the district from the registry's log: retried until then
        (to a caller bound to it, a unit it does not know yet is outside its unit)."""
        variables = {"input": {"indicatorCode": code, "unitCode": DISTRICT, "period": QUARTER, "value": value}}
        for _ in range(300):
            result = self.graphql("centre", REPORT, variables)
            if not result.get("errors"):
                return
            assert result["errors"][0]["extensions"]["code"] in {"UNKNOWN_UNIT", "OUTSIDE_OWN_UNIT"}, result["errors"]
            time.sleep(0.1)
        raise AssertionError(f"the metrics service never learnt of {DISTRICT}")

    def feed(self, cursor: str | None, count: int) -> list[dict[str, Any]]:
        """The first ``count`` approval events on the live feed after ``cursor``."""
        document = FEED.replace("{types}", ", ".join(f'"{t}"' for t in APPROVAL_EVENTS))

        async def read() -> list[dict[str, Any]]:
            transport = WebsocketsTransport(
                url=self.ws_url,
                init_payload=self.auth("admin"),
                subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            )
            seen: list[dict[str, Any]] = []
            async with asyncio.timeout(60), Client(transport=transport, fetch_schema_from_transport=False) as session:
                async for result in session.subscribe(GraphQLRequest(document, variable_values={"after": cursor})):
                    seen.append(result["events"])
                    if len(seen) == count:
                        break
            return seen

        return asyncio.run(read())


def test_a_districts_quarter_is_submitted_approved_locked_refused_and_reopened(platform: PlatformProcess) -> None:
    platform.start()
    platform.wait_ready(timeout=240)
    gateway = Gateway(platform, _keys(platform.database_url()))
    for code, name, level, parent in (
        ("06", "Tỉnh Bắc Kạn", "PROVINCE", None),
        (DISTRICT, "Huyện Ba Bể", "DISTRICT", "06"),
    ):
        unit = {"code": code, "name": name, "level": level, "parentCode": parent, "validFrom": "2020-01-01"}
        gateway.data("admin", REGISTER_UNIT, {"input": unit})
    for code, value in VALUES.items():
        gateway.report_when_known(code, value)
    cursor = gateway.data("admin", "{ liveCursor }")["liveCursor"]
    key = {"indicator_set": "telecom", "unit_code": DISTRICT, "period": QUARTER}
    graph_key = {"indicatorSet": "telecom", "unitCode": DISTRICT, "period": QUARTER}

    # The centre submits (REST), then approves as the district (GraphQL); the province's
    # approval (REST) locks the quarter.
    submitted = gateway.rest("centre", "/approvals/submit", key)
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted"), submitted.text
    early = gateway.rest("province", "/approvals/approve", {**key, "level": "province"})
    assert (early.status_code, early.json()["code"]) == (409, "approval_out_of_order"), early.text
    district = gateway.data("centre", APPROVE, {"input": {**graph_key, "level": "DISTRICT"}})["approveData"]
    assert district["status"] == "DISTRICT_APPROVED"
    not_theirs = gateway.rest("centre", "/approvals/approve", {**key, "level": "province"})
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (403, "approval_step_not_yours")
    locked = gateway.rest(
        "province", "/approvals/approve", {**key, "level": "province"}
    )  # retried with its key, it would answer the same
    assert (locked.status_code, locked.json()["status"]) == (200, "locked"), locked.text
    status = gateway.data("admin", STATUS, {"period": QUARTER})["dataApproval"]
    assert status["status"] == "LOCKED"
    assert [(s["step"], s["by"]) for s in status["steps"]] == [
        ("SUBMITTED", "partner:e2e-ba-be"),
        ("DISTRICT_APPROVED", "partner:e2e-ba-be"),
        ("PROVINCE_APPROVED", "partner:e2e-so-tt"),
        ("LOCKED", None),
    ]

    # A correction of a locked value: 409 with a code, on REST and GraphQL alike.
    correction = {"indicator_code": "telecom.fibre_km", "unit_code": DISTRICT, "period": QUARTER, "value": 415.0}
    refused = gateway.rest("centre", "/indicator-values/report", correction)
    assert (refused.status_code, refused.json()["code"]) == (409, "data_locked"), refused.text
    variables = {"input": {"indicatorCode": "telecom.fibre_km", "unitCode": DISTRICT, "period": QUARTER, "value": 415}}
    [error] = gateway.graphql("centre", REPORT, variables)["errors"]
    assert error["extensions"]["code"] == "DATA_LOCKED"

    # Reopened by the province with a reason: the correction is accepted.
    reason = "Chiều dài cáp quang quý III báo cáo thiếu tuyến Chợ Rã"
    reopened = gateway.data("province", REOPEN, {"input": {**graph_key, "reason": reason}})["reopenData"]
    assert reopened["status"] == "OPEN"
    assert reopened["steps"][-1] == {"step": "REOPENED", "reason": reason}
    accepted = gateway.rest("centre", "/indicator-values/report", correction)
    assert accepted.status_code == 200, accepted.text

    # Every step went out on the live feed, in order (one stream).
    events = gateway.feed(cursor, 5)
    assert [e["type"] for e in events] == [
        "metrics.data_submitted",
        "metrics.data_approved",
        "metrics.data_approved",
        "metrics.data_locked",
        "metrics.data_reopened",
    ]
    assert {e["unitCode"] for e in events} == {DISTRICT}
    assert [e["data"].get("level") for e in events[1:3]] == ["district", "province"]
    assert platform.stop() == 0
