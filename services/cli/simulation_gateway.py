"""``tinhso simulate``'s only way into the platform: the gateway's public GraphQL API.

It finds the province's stations and clusters the way a partner would (``units`` →
``radioStation`` → ``clusters``) and sends each action of the timeline as the mutation a
cluster, a station or the operations centre would send. An answer the gateway refuses is
counted by its error code, never raised: a province keeps moving when one report is refused.
"""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import msgspec

from services.cli.simulation_schedule import AlertIssued, Station

UNITS_PAGE = 50
COMMUNES = """
query($after: String, $first: Int) {
  units(level: COMMUNE, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { code parent { code } radioStation { id status clusters { id } } } }
  }
}
"""
REPORT_SIGNAL = "mutation($i: ReportClusterSignalInput!) { reportClusterSignal(input: $i) { id } }"
RECORD_RELAY = "mutation($i: RecordRelayInput!) { recordRelay(input: $i) { id } }"
ISSUE_ALERT = """
mutation($i: IssueEmergencyAlertInput!) { issueEmergencyAlert(input: $i) { id stations { station { id } } } }
"""
ACKNOWLEDGE_ALERT = "mutation($i: AcknowledgeEmergencyAlertInput!) { acknowledgeEmergencyAlert(input: $i) { id } }"
GONE_STATUSES = frozenset({"DECOMMISSIONED"})
ALERT_TEXTS = {
    "disaster": ("Cảnh báo mưa lũ (mô phỏng)", "Mưa lớn kéo dài, nguy cơ lũ quét, sạt lở đất; đề nghị phát thông báo."),
    "epidemic": ("Cảnh báo dịch bệnh (mô phỏng)", "Ghi nhận ca bệnh truyền nhiễm; đề nghị phát hướng dẫn phòng dịch."),
    "security": ("Thông báo an ninh trật tự (mô phỏng)", "Đề nghị phát thông báo của công an huyện tới nhân dân."),
    "other": ("Thông báo khẩn (mô phỏng)", "Đề nghị các trạm phát thông báo khẩn của Ủy ban nhân dân."),
}
"""What a simulated alert says, by category: marked as a simulation in its title."""


class GatewayUnreachableError(Exception):
    """The gateway did not answer (down, restarting, wrong URL): the action is lost, not refused."""


class Refused(msgspec.Struct, frozen=True):
    """The gateway answered with an error: its code (``RATE_LIMITED``, ``NOT_FOUND``…)."""

    code: str
    message: str


Answer = dict[str, Any] | Refused


class SimulationGateway:
    """GraphQL over one keep-alive HTTP client, with the simulator's API key."""

    def __init__(self, url: str, key: str, *, timeout: float = 30.0) -> None:
        self._http = httpx.AsyncClient(
            base_url=url.rstrip("/"), headers={"authorization": f"Bearer {key}"}, timeout=timeout
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def graphql(self, query: str, variables: dict[str, Any]) -> Answer:
        try:
            response = await self._http.post("/graphql", json={"query": query, "variables": variables})
        except httpx.HTTPError as exc:
            raise GatewayUnreachableError(f"{type(exc).__name__}: {exc}") from None
        try:
            body = response.json()
        except ValueError:
            return Refused(f"HTTP_{response.status_code}", response.text[:200])
        errors = body.get("errors") if isinstance(body, dict) else None
        if response.status_code != 200 or errors:
            first = errors[0] if errors else {}
            code = (first.get("extensions") or {}).get("code") or f"HTTP_{response.status_code}"
            return Refused(str(code), str(first.get("message", ""))[:200])
        data: dict[str, Any] = body["data"]
        return data

    async def stations(self) -> list[Station]:
        """Every commune's station that is not decommissioned, with its clusters, in code order."""
        found: list[Station] = []
        after: str | None = None
        while True:
            answer = await self.graphql(COMMUNES, {"after": after, "first": UNITS_PAGE})
            if isinstance(answer, Refused):
                raise GatewayUnreachableError(f"the gateway refused to list the communes: {answer.code}")
            page = answer["units"]
            for edge in page["edges"]:
                node = edge["node"]
                station = node.get("radioStation")
                if station is None or station["status"] in GONE_STATUSES:
                    continue
                parent = node.get("parent")
                found.append(
                    Station(
                        station_id=station["id"],
                        unit_code=node["code"],
                        district_code=parent["code"] if parent else None,
                        clusters=tuple(c["id"] for c in station["clusters"]),
                    )
                )
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]

    async def report_signal(self, cluster_id: str, signal: str, observed_at: datetime.datetime) -> Answer:
        variables = {"i": {"clusterId": cluster_id, "signal": signal, "observedAt": observed_at.isoformat()}}
        return await self.graphql(REPORT_SIGNAL, variables)

    async def record_relay(
        self, station_id: str, source: str, started_at: datetime.datetime, ended_at: datetime.datetime
    ) -> Answer:
        session = {
            "stationId": station_id,
            "source": source,
            "startedAt": started_at.isoformat(),
            "endedAt": ended_at.isoformat(),
        }
        return await self.graphql(RECORD_RELAY, {"i": session})

    async def issue_alert(self, alert: AlertIssued, now: datetime.datetime) -> Answer:
        title, message = ALERT_TEXTS[alert.category]
        issued = {
            "unitCode": alert.unit_code,
            "category": alert.category.upper(),
            "priority": alert.priority.upper(),
            "title": title,
            "message": message,
            "expiresAt": (now + datetime.timedelta(seconds=alert.expires_after)).isoformat(),
        }
        return await self.graphql(ISSUE_ALERT, {"i": issued})

    async def acknowledge_alert(self, alert_id: str, station_id: str, now: datetime.datetime) -> Answer:
        ack = {"alertId": alert_id, "stationId": station_id, "acknowledgedAt": now.isoformat()}
        return await self.graphql(ACKNOWLEDGE_ALERT, {"i": ack})
