"""The screenshots of docs/ioc.md and the README: the console on a province with some life in
it, at 1920x1080 and 1366x768, in Vietnamese and English.

Not part of the suite (the file name is not ``test_*``); run it by name when the console's
look changes: ``.venv/bin/pytest tests/browser/doc_screenshots.py -p no:randomly``. It writes
``docs/images/ioc-*.png``.
"""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from playwright.async_api import Browser, ViewportSize

from services.gateway.ioc import geography
from tests.browser.console_support import ConsoleGateway, Province, report, sign_in
from tests.integration.gateway.api_fixtures import REGISTER_CLUSTER, REGISTER_STATION, REPORT_VALUE, register_unit
from tests.integration.gateway.api_platform import Platform

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
TARGET = "mutation($i: SetIndicatorTargetInput!) { setIndicatorTarget(input: $i) { target } }"
ISSUE = """
mutation($input: IssueEmergencyAlertInput!) { issueEmergencyAlert(input: $input) { id } }
"""
ACKNOWLEDGE = """
mutation($input: AcknowledgeEmergencyAlertInput!) { acknowledgeEmergencyAlert(input: $input) { id } }
"""
SHOWN = ["egov.online_services_rate", "citizens.bank_account_15plus", "citizens.internet_users"]


async def more_of_the_province(platform: Platform) -> list[str]:
    """Every other district with two communes, each a station of 2-4 clusters; a few down."""
    rng = random.Random(20)
    province = geography.province_map()
    clusters = []
    for district in province["districts"]:
        if district["code"] in {"061", "058"}:
            continue
        await register_unit(platform, district["code"], district["name"], "DISTRICT", "06")
        for commune in [c for c in province["communes"] if c["district"] == district["code"]][:2]:
            await register_unit(platform, commune["code"], commune["name"], "COMMUNE", district["code"])
            registration = {"unitCode": commune["code"], "technology": "IP", "installedOn": "2022-01-01"}
            station = (await platform.data(REGISTER_STATION, {"input": registration}))["registerRadioStation"]["id"]
            for _ in range(rng.randint(2, 4)):
                made = await platform.data(REGISTER_CLUSTER, {"input": {"stationId": station}})
                clusters.append(made["registerSpeakerCluster"]["id"])
                await report(platform, clusters[-1], "ONLINE")
    return clusters


async def indicators(platform: Platform) -> None:
    rng = random.Random(7)
    year = datetime.date.today().year
    for code in SHOWN:
        await platform.data(TARGET, {"i": {"indicatorCode": code, "unitCode": "06", "year": year, "target": 80.0}})
        for district in [d["code"] for d in geography.province_map()["districts"]]:
            level = rng.uniform(35, 70)
            for y in range(year - 5, year + 1):
                level = min(99.0, level + rng.uniform(2, 9))
                value = {"indicatorCode": code, "unitCode": district, "period": str(y), "value": round(level, 1)}
                await platform.data(REPORT_VALUE, {"input": value})


async def test_docs_screenshots(
    platform: Platform, province: Province, console_gateway: ConsoleGateway, browser: Browser
) -> None:
    clusters = await more_of_the_province(platform)
    await indicators(platform)
    for cluster in clusters[3:6]:
        await report(platform, cluster, "NO_SIGNAL")
    await report(platform, province.stations[0].clusters[0], "OFFLINE")
    expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)
    alert = {
        "unitCode": "061",
        "category": "DISASTER",
        "priority": "HIGH",
        "title": "Lũ quét trên sông Năng",
        "message": "Người dân vùng trũng di chuyển lên chỗ cao.",
        "expiresAt": expires.isoformat(),
    }
    issued = (await platform.data(ISSUE, {"input": alert}))["issueEmergencyAlert"]["id"]
    await platform.data(ACKNOWLEDGE, {"input": {"alertId": issued, "stationId": province.stations[0].id}})
    IMAGES.mkdir(exist_ok=True)
    for n, (name, viewport, locale) in enumerate(
        (
            ("ioc-wall", ViewportSize(width=1920, height=1080), "vi"),
            ("ioc-laptop-en", ViewportSize(width=1366, height=768), "en"),
            ("ioc-laptop-vi", ViewportSize(width=1366, height=768), "vi"),
        )
    ):
        context = await browser.new_context(viewport=viewport, timezone_id="Asia/Ho_Chi_Minh")
        page = await context.new_page()
        await page.goto(f"{console_gateway.url}/ioc")
        await page.evaluate(f"localStorage.setItem('tinhso.ioc.language', '{locale}')")
        await sign_in(page, console_gateway.url, platform.keys["admin"])
        await report(platform, clusters[7 + n], "NO_SIGNAL")  # something in the feed
        await report(platform, clusters[n], "NO_SIGNAL")
        await page.wait_for_timeout(1500)
        await page.screenshot(path=str(IMAGES / f"{name}.png"))
        await context.close()
