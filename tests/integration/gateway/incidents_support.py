"""What the incident tests through the gateway share: clusters gone silent and their incidents
opened, with the broadcast service's silence threshold at a second while they report (the
contract has no mutation for the threshold: it is set on the service, as the admin)."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

import httpx

from tests.integration.gateway.api_platform import Platform
from tests.support.principals import ADMIN, PrincipalAuth

OPEN = """query($unit: String!) {
  signalIncidents(unitCode: $unit, status: OPEN, first: 200) { edges { node { id cluster { id } } } } }"""


async def silent_incidents(platform: Platform, clusters: list[str], unit_code: str) -> dict[str, str]:
    """Each cluster (a global id) heard once, then silent past a one-second threshold: its
    incident's global id, by cluster. The threshold is an hour again afterwards."""
    auth = PrincipalAuth(platform.settings, ADMIN, "broadcast")
    async with httpx.AsyncClient(base_url=platform.settings.broadcast_url, auth=auth) as broadcast:

        async def command(path: str, body: dict[str, Any]) -> None:
            async with asyncio.timeout(30):
                # 404 while the service's view of the registry has not seen the clusters yet.
                while (response := await broadcast.post(f"/commands/{path}", json=body)).status_code == 404:  # noqa: ASYNC110
                    await asyncio.sleep(0.1)
            assert response.status_code == 201, response.text

        await command("signal/configure", {"silence_threshold_seconds": 1})
        at = datetime.datetime.now(datetime.UTC).isoformat()
        reports = [{"cluster_id": c.split(":", 1)[-1], "kind": "HEARTBEAT", "observed_at": at} for c in clusters]
        await command("signal/report", {"reports": reports})

        async def opened() -> dict[str, str] | None:
            edges = (await platform.data(OPEN, {"unit": unit_code}))["signalIncidents"]["edges"]
            found = {e["node"]["cluster"]["id"]: e["node"]["id"] for e in edges}
            return found if all(c in found for c in clusters) else None

        incidents: dict[str, str] = await platform.eventually(opened)
        await command("signal/configure", {"silence_threshold_seconds": 3600})
    return incidents
