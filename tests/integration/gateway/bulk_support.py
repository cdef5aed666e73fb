"""Helpers the bulk ingestion tests share: a batch sent to ``/api/v1/bulk/…``, its outcomes, and
waiting until the broadcast service knows the registry's new clusters."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.gateway.api_platform import Platform


async def bulk(platform: Platform, what: str, body: Any, *, csv: bool = False, who: str = "admin") -> httpx.Response:
    headers = platform.auth(who)
    if csv:
        return await platform.http.post(
            f"/api/v1/bulk/{what}", content=body.encode(), headers={**headers, "content-type": "text/csv"}
        )
    return await platform.http.post(f"/api/v1/bulk/{what}", json=body, headers=headers)


def raw(global_id: str) -> str:
    """The service's id in a GraphQL id (``SpeakerCluster:<id>``): the bulk routes take the services' ids."""
    return global_id.split(":", 1)[1]


async def seen_by_broadcast(platform: Platform, cluster_id: str) -> None:
    """Until the broadcast service's view of the registry holds the cluster: a rejected item
    leaves no trace, so asking again is harmless."""
    probe = [{"cluster_id": cluster_id, "kind": "HEARTBEAT", "observed_at": "2026-01-05T07:00:00+07:00"}]

    async def accepted() -> bool:
        return outcomes(await bulk(platform, "signal-reports", probe))[0][0] != "rejected"

    await platform.eventually(accepted)


def outcomes(answer: httpx.Response) -> list[tuple[str, str | None]]:
    assert answer.status_code == 200, answer.text
    return [(item["status"], item.get("code")) for item in answer.json()["items"]]
