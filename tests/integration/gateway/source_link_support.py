"""What the gateway's source-link tests share: the source system's partner, a bulletin, and a
retry while the broadcast service has not yet seen the unit a bulletin names."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from libs.common.db import create_pool
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from tests.integration.gateway.api_platform import Platform

SOURCE_SYSTEM = Partner(name="htttn-tinh", scopes=frozenset({"source:link"}))
"""The provincial source-information system: ``source:link`` and nothing else."""


async def add_partner(platform: Platform, who: str, partner: Partner) -> None:
    pool = await create_pool(platform.settings.database_url, service="test", max_size=1)
    try:
        platform.keys[who] = await PartnerStore(pool).create(partner)
    finally:
        await pool.close()


def bulletin(bulletin_id: str, unit_code: str = "061", **changes: Any) -> dict[str, Any]:
    return {
        "bulletin_id": bulletin_id,
        "unit_code": unit_code,
        "title": "Bản tin phòng chống bão",
        "air_date": "2026-12-08",
        "duration_seconds": 300,
        "news_items": 1,
        "articles": 0,
        "priority": "emergency",
        **changes,
    }


async def send_bulletin(platform: Platform, who: str | None, body: dict[str, Any]) -> httpx.Response:
    """Posted as ``who``; sent again while the service answers ``unknown_unit`` (its view of
    the registry follows the log)."""
    headers = platform.auth(who) if who else {}
    async with asyncio.timeout(30):
        while True:
            response = await platform.http.post("/api/v1/source-bulletins", json=body, headers=headers)
            if response.status_code != 404 or response.json().get("code") != "unknown_unit":
                return response
            await asyncio.sleep(0.1)
