"""A partner's side of a running gateway for end-to-end tests: the partners' keys made in the
platform's database, GraphQL, ``/api/v1`` and the live feed, as ``test_regulations.py`` uses
them (a district's quarter through data approval, ADR 0055, and the broadcasting rules)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from gql import Client, GraphQLRequest
from gql.transport.websockets import WebsocketsTransport

from libs.common.db import create_pool
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from tests.e2e.platform_process import PlatformProcess

T = TypeVar("T")

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


def partner_keys(database_url: str, partners: dict[str, Partner] = PARTNERS) -> dict[str, str]:
    """An API key for each partner, made in the platform's database as ``tinhso partners`` does."""

    async def create() -> dict[str, str]:
        pool = await create_pool(database_url, service="test", max_size=1)
        try:
            return {who: await PartnerStore(pool).create(partner) for who, partner in partners.items()}
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

    def get(self, who: str, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        return self.http.get(f"/api/v1{path}", params=params, headers=self.auth(who))

    def report_when_known(self, who: str, variables: dict[str, Any]) -> None:
        """``reportIndicatorValue`` as ``who``, retried while the metrics service has not yet
        learnt the unit from the registry's log (to a caller bound to a unit, a unit it does
        not know yet is outside its unit)."""

        def reported() -> bool | None:
            result = self.graphql(who, REPORT, variables)
            if not result.get("errors"):
                return True
            codes = {"UNKNOWN_UNIT", "OUTSIDE_OWN_UNIT"}
            assert result["errors"][0]["extensions"]["code"] in codes, result["errors"]
            return None

        eventually(reported)

    def feed(self, cursor: str | None, count: int, types: tuple[str, ...] = APPROVAL_EVENTS) -> list[dict[str, Any]]:
        """The first ``count`` events of ``types`` (approval's by default) on the live feed after ``cursor``."""
        document = FEED.replace("{types}", ", ".join(f'"{t}"' for t in types))

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


def eventually(probe: Callable[[], T | None], timeout: float = 60.0) -> T:
    """``probe``'s first answer other than ``None``: the services' read models follow the log."""
    deadline = time.monotonic() + timeout
    while (found := probe()) is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"still nothing after {timeout} s from {probe.__name__}")
        time.sleep(0.2)
    return found
