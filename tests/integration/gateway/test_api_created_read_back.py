"""Every mutation that creates an entity answers it once its read model shows it, woken by the
projection's commit (ADR 0047, 0057): well before the read-back deadline, and with no
``read_model_lag`` warning. One test per area, on one platform for the module.

The deadline is set to a minute: a mutation that did not wake on its projection's position
would answer only at the deadline (or warn), so the time each takes is the proof.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from libs.common.embedded.broker import EmbeddedBroker
from libs.common.embedded.postgres import EmbeddedPostgres
from libs.common.settings import Idempotence, load_settings
from tests.integration.gateway.api_fixtures import INDICATOR, Province, build_province
from tests.integration.gateway.api_platform import Platform, start_platform
from tests.integration.gateway.broadcast_support import stations_known_to_broadcast
from tests.integration.gateway.test_api_alerts import ISSUE, flood_warning
from tests.integration.gateway.test_api_registry_assets import ESTABLISH, OPEN_POINT, SYSTEM, VIDEO, WIFI

READ_BACK_SECONDS = 60.0
WOKEN_WITHIN = 20.0
"""Far under the deadline, generous for a loaded machine (a few hundred ms when it is quiet)."""

ORGANISATIONS = [
    {"kind": "register_organisation", "code": "VNPT", "name": "VNPT Bắc Kạn", "organisation_kind": "telecom"},
    {"kind": "register_organisation", "code": "VNPOST", "name": "Bưu điện Bắc Kạn", "organisation_kind": "post"},
]


@pytest.fixture(scope="module")
async def built(
    postgres: EmbeddedPostgres, broker: EmbeddedBroker, state_dir: Path
) -> AsyncIterator[tuple[Platform, Province]]:
    name = "t_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(postgres.url)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        settings = load_settings(
            {},
            database_url=postgres.url.rsplit("/", 1)[0] + "/" + name,
            kafka_bootstrap=broker.bootstrap,
            kafka_enable_idempotence=Idempotence.OFF.value,
            projection_assignment="manual",
            topic_prefix="t" + uuid.uuid4().hex[:8],
            state_dir=str(state_dir),
            gateway_read_back_seconds=READ_BACK_SECONDS,
        )
        async for platform in start_platform(settings):
            imported = await platform.http.post("/api/v1/import", json=ORGANISATIONS, headers=platform.auth())
            assert imported.status_code == 200, imported.text
            yield platform, await build_province(platform, communes=1, villages=1)
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


async def created(platform: Platform, mutation: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The mutation's entity, asserted answered woken and without a warning."""
    started = time.monotonic()
    answer = await platform.graphql(mutation, variables)
    took = time.monotonic() - started
    assert not answer.get("errors"), answer["errors"]
    assert "warnings" not in answer.get("extensions", {}), answer["extensions"]["warnings"]
    assert took < WOKEN_WITHIN, f"{took:.1f} s: not woken by the projection's commit"
    [entity] = answer["data"].values()
    assert isinstance(entity, dict)
    return entity


async def test_registry_assets_come_back_woken_without_a_warning(built: tuple[Platform, Province]) -> None:
    platform, province = built
    commune = province.communes[0]
    station = province.stations[commune]
    cluster = await created(
        platform,
        """mutation($i: RegisterSpeakerClusterInput!) { registerSpeakerCluster(input: $i) { id station { id } } }""",
        {"i": {"stationId": station, "villageCode": province.villages[commune][0]}},
    )
    assert cluster["station"] == {"id": station}
    bts = {"operator": "VNPT", "unitCode": commune, "technologies": ["G4"], "commissionedOn": "2022-03-01"}
    made = await created(
        platform,
        "mutation($i: RegisterBtsStationInput!) { registerBtsStation(input: $i) { operator unit { code } } }",
        {"i": bts},
    )
    assert made == {"operator": "VNPT", "unit": {"code": commune}}
    team = {"unitCode": commune, "level": "COMMUNE", "establishedOn": "2024-01-01", "memberCount": 5}
    assert (await created(platform, ESTABLISH, {"input": team}))["memberCount"] == 5
    point = {"unitCode": commune, "name": "Điểm BĐVHX", "operatorCode": "VNPOST", "openedOn": "2022-01-01"}
    assert (await created(platform, OPEN_POINT, {"input": point}))["operator"] == {"code": "VNPOST"}
    endpoint = {"unitCode": commune, "installedOn": "2023-01-01"}
    assert (await created(platform, VIDEO, {"input": endpoint}))["unit"] == {"code": commune}
    hotspot = {"unitCode": commune, "operatorCode": "VNPT", "latitude": 22.4, "longitude": 105.6}
    assert (await created(platform, WIFI, {"input": hotspot}))["operator"] == {"code": "VNPT"}
    system = {"name": "Cổng dịch vụ công", "ownerAgency": "Sở TT&TT", "hostedInDataCentre": True}
    assert (await created(platform, SYSTEM, {"input": system}))["name"] == "Cổng dịch vụ công"


async def test_broadcast_records_come_back_woken_without_a_warning(built: tuple[Platform, Province]) -> None:
    platform, province = built
    programme = {"title": "Bản tin", "producerCode": "061", "airDate": "2022-06-01", "newsItems": 5,
                 "articles": 1, "durationSeconds": 600, "segments": []}  # fmt: skip
    recorded = await created(
        platform, "mutation($i: RecordProgrammeInput!) { recordProgramme(input: $i) { title } }", {"i": programme}
    )
    assert recorded == {"title": "Bản tin"}
    await stations_known_to_broadcast(platform, province)
    issued = await created(platform, ISSUE, {"i": flood_warning()})
    assert issued["stationCount"] == len(province.stations)
    session = {"unitCode": province.communes[0], "heldOn": "2024-03-01", "topic": "Chuyển đổi số", "audience": 40}
    outreach = await created(
        platform,
        "mutation($i: RecordOutreachSessionInput!) { recordOutreachSession(input: $i) { id } }",
        {"i": session},
    )
    assert outreach["id"]


async def test_a_reported_value_comes_back_woken_without_a_warning(built: tuple[Platform, Province]) -> None:
    platform, province = built
    value = {"indicatorCode": INDICATOR, "unitCode": province.communes[0], "period": "2024", "value": 42.0}
    reported = await created(
        platform,
        "mutation($i: ReportIndicatorValueInput!) { reportIndicatorValue(input: $i) { value period } }",
        {"i": value},
    )
    assert reported == {"value": 42.0, "period": "2024"}
