"""The operations centre's console in a real browser: it loads clean, draws the province's
stations, turns a cluster red within 2 s of its report, shows an alert's acknowledgements as
they are recorded, lets a key that may handle an incident acknowledge and assign it, and after
a gateway restart shows the events it missed."""

from __future__ import annotations

import asyncio
import datetime
import time

import pytest

from tests.browser.console_support import ARTIFACTS, ConsoleGateway, Province, Watched, report, sign_in
from tests.integration.gateway.api_fixtures import REGISTER_CLUSTER, REPORT_SIGNAL, register_unit
from tests.integration.gateway.api_platform import Platform

pytestmark = pytest.mark.browser


async def test_the_console_loads_with_no_console_error_and_no_failed_request(
    platform: Platform, province: Province, console_gateway: ConsoleGateway, watched: Watched
) -> None:
    page = await sign_in(watched.page, console_gateway.url, platform.keys["admin"])
    assert "default-src 'self'" in page.headers["content-security-policy"]
    await watched.page.wait_for_selector("[data-tile=stations]")
    await watched.page.wait_for_selector("#incidents tr")
    await watched.page.wait_for_selector("#ranking table, #ranking:not(:empty)")
    assert watched.errors == []
    assert watched.failed == []


async def test_the_map_shows_every_seeded_station_and_cluster(
    platform: Platform, province: Province, console_gateway: ConsoleGateway, watched: Watched
) -> None:
    page = watched.page
    await sign_in(page, console_gateway.url, platform.keys["admin"])
    drawn = await page.eval_on_selector_all("#map [data-station]", "nodes => nodes.map(n => n.dataset.station)")
    assert sorted(drawn) == sorted(s.raw for s in province.stations)
    clusters = await page.eval_on_selector_all("#map [data-cluster]", "nodes => nodes.length")
    assert clusters == sum(len(s.clusters) for s in province.stations)
    tile = await page.text_content("[data-tile=stations] .value")
    assert tile is not None
    assert tile.replace(" ", "") == f"{len(province.stations)}/{len(province.stations)}"


TURNED_RED = """
raw => { window.turnedRed = new Promise(resolve => {
  const red = () => document.querySelector(`#map [data-cluster='${raw}']`)?.dataset.state === "down"
    && document.querySelector("[data-tile=clusters-down]")?.dataset.level === "alarm";
  const observer = new MutationObserver(() => { if (red()) { observer.disconnect(); resolve(Date.now()); } });
  observer.observe(document.body, { subtree: true, attributes: true, childList: true });
}); }
"""
"""When the cluster's circle and the clusters-down tile are both red, by the page's clock (the
machine's): measured where it happens, not by polling from the test."""


async def test_a_cluster_that_loses_signal_turns_red_on_the_map_and_in_the_tiles_within_2_s(
    platform: Platform, province: Province, console_gateway: ConsoleGateway, watched: Watched
) -> None:
    page = watched.page
    await sign_in(page, console_gateway.url, platform.keys["admin"])
    station, cluster = province.cluster(1)
    raw = cluster.split(":", 1)[1]
    await page.wait_for_selector(f"#map [data-cluster='{raw}'][data-state=ok]")
    await page.wait_for_selector("[data-tile=clusters-down][data-level=ok]")
    await page.evaluate(TURNED_RED, raw)  # watching before the report is sent
    reported = time.time()
    await report(platform, cluster, "NO_SIGNAL")
    turned_at = await asyncio.wait_for(page.evaluate("window.turnedRed"), 10) / 1000
    assert turned_at - reported <= 2.0
    assert await page.get_attribute(f"#map [data-station='{station.raw}']", "data-state") == "partial"
    assert await page.text_content("[data-tile=clusters-down] .value") == "1"
    await report(platform, cluster, "ONLINE")
    await page.wait_for_selector(f"#map [data-cluster='{raw}'][data-state=ok]")


async def test_after_the_gateway_restarts_the_page_reconnects_and_shows_the_events_it_missed(
    platform: Platform, province: Province, console_gateway: ConsoleGateway, watched: Watched
) -> None:
    page = watched.page
    await sign_in(page, console_gateway.url, platform.keys["admin"])
    station, cluster = province.cluster(2)
    raw = cluster.split(":", 1)[1]
    await page.wait_for_selector(f"#map [data-cluster='{raw}'][data-state=ok]")
    await console_gateway.stop()
    await page.wait_for_selector("#connection[data-state=reconnecting]")
    # Committed through the platform's own gateway while the page's is down.
    await report(platform, cluster, "OFFLINE")
    village = f"{station.commune}-T99"
    await register_unit(platform, village, "Thôn mẫu 99", "VILLAGE", station.commune)
    await console_gateway.start()
    await page.wait_for_selector("#connection[data-state=live]", timeout=20_000)
    await page.wait_for_selector(f"#map [data-cluster='{raw}'][data-state=down]")
    lost = f"#feed li[data-type='broadcast.cluster_signal_lost'][data-unit='{station.commune}']"
    registered = f"#feed li[data-type='registry.unit_registered'][data-unit='{village}']"
    await page.wait_for_selector(registered)
    assert len(await page.query_selector_all(lost)) == 1
    assert len(await page.query_selector_all(registered)) == 1
    await report(platform, cluster, "ONLINE")
    await page.wait_for_selector(f"#map [data-cluster='{raw}'][data-state=ok]")


ACKNOWLEDGE = """
mutation($input: AcknowledgeEmergencyAlertInput!) { acknowledgeEmergencyAlert(input: $input) { acknowledgedCount } }
"""


async def test_an_alert_issued_from_the_panel_shows_each_acknowledgement_as_it_is_recorded(
    platform: Platform, province: Province, console_gateway: ConsoleGateway, watched: Watched
) -> None:
    page = watched.page
    await sign_in(page, console_gateway.url, platform.keys["admin"])
    district = province.stations[0].district
    stations = [s for s in province.stations if s.district == district]
    form = page.locator("#alert-form")
    await form.locator("select[name=unit]").select_option(district)
    await form.locator("select[name=priority]").select_option("high")
    await form.locator("input[name=expiry]").fill("30")
    await form.locator("input[name=title]").fill("Lũ quét trên sông Năng")
    await form.locator("textarea[name=message]").fill("Người dân vùng trũng di chuyển lên chỗ cao.")
    await form.locator("button[type=submit]").click()
    alert = page.locator(".alert", has_text="Lũ quét trên sông Năng")
    await alert.locator(f"li[data-state=waiting] >> nth={len(stations) - 1}").wait_for()
    alert_id = await alert.get_attribute("data-alert")
    assert alert_id is not None
    assert await alert.locator("div[data-acked]").get_attribute("data-acked") == "0"
    for acknowledged, station in enumerate(stations, start=1):
        now = datetime.datetime.now(datetime.UTC).isoformat()
        ack = {"alertId": alert_id, "stationId": station.id, "acknowledgedAt": now}
        await platform.data(ACKNOWLEDGE, {"input": ack})
        await alert.locator(f"li[data-station='{station.raw}'][data-state=acked]").wait_for(timeout=5_000)
        assert await alert.locator("div[data-acked]").get_attribute("data-acked") == str(acknowledged)
        waiting = await alert.locator("li[data-state=waiting]").count()
        assert waiting == len(stations) - acknowledged
    await page.wait_for_selector("[data-tile=alerts] .value >> text=0")


async def test_the_console_shows_what_the_key_may_read_and_refuses_what_it_may_not_do(
    platform: Platform, province: Province, console_gateway: ConsoleGateway, watched: Watched
) -> None:
    """A read-only key sees the province but its alert is refused in the form; a key that may
    not read is turned back at sign-in."""
    page = watched.page
    await sign_in(page, console_gateway.url, platform.keys["reader"])
    assert len(await page.query_selector_all("#map [data-station]")) == len(province.stations)
    form = page.locator("#alert-form")
    await form.locator("input[name=title]").fill("Thử quyền")
    await form.locator("textarea[name=message]").fill("Khoá chỉ đọc.")
    await form.locator("button[type=submit]").click()
    await form.locator("[data-role=message]", has_text="không được").wait_for()
    assert await page.locator(".alert", has_text="Thử quyền").count() == 0
    await page.click("#sign-out")
    await page.fill("#api-key", platform.keys["writer"])
    await page.click("#sign-in-form button[type=submit]")
    await page.locator("#sign-in-error", has_text="không được chấp nhận").wait_for()
    assert await page.is_hidden("#console")


async def test_a_key_that_may_handle_an_incident_acknowledges_and_assigns_it_and_a_read_only_key_only_sees_it(
    platform: Platform, province: Province, console_gateway: ConsoleGateway, watched: Watched
) -> None:
    """A new cluster of the last station reports no signal since before the incident threshold,
    so its incident opens at once; the admin acknowledges it and assigns it to the commune from
    the panel; a read-only key sees the same row, handled, with no button."""
    page = watched.page
    await sign_in(page, console_gateway.url, platform.keys["admin"])
    station = province.stations[-1]
    made = await platform.data(REGISTER_CLUSTER, {"input": {"stationId": station.id}})
    cluster = made["registerSpeakerCluster"]["id"]
    station.clusters.append(cluster)  # the map's count of clusters holds, whichever test runs next
    await page.wait_for_selector(f"#map [data-cluster='{cluster.split(':', 1)[1]}']")  # drawn before anything else
    since = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=10)).isoformat()
    await platform.data(REPORT_SIGNAL, {"input": {"clusterId": cluster, "signal": "NO_SIGNAL", "observedAt": since}})

    row = page.locator("#incidents tr[data-incident]", has=page.locator("button[data-action=acknowledge]"))
    await row.wait_for(timeout=20_000)
    incident = await row.get_attribute("data-incident")
    row = page.locator(f"#incidents tr[data-incident='{incident}']")
    assert await row.get_attribute("data-acknowledged") == "false"
    await row.locator("button[data-action=acknowledge]").click()
    await page.locator(f"#incidents tr[data-incident='{incident}'][data-acknowledged=true]").wait_for()
    await row.locator("select[name=assignee]").select_option(f"unit:{station.commune}")
    await row.locator("button[data-action=assign]").click()
    await row.locator(".handling", has_text=f"Giao cho {station.name}").wait_for()
    assert await row.locator("button[data-action=acknowledge]").count() == 0  # acknowledged: assign only
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{watched.name}-handled.png"))
    assert watched.errors == []

    reader = Watched(await page.context.new_page(), f"{watched.name}-reader")  # a second operator's screen
    await sign_in(reader.page, console_gateway.url, platform.keys["reader"])
    row = reader.page.locator(f"#incidents tr[data-incident='{incident}']")
    await row.locator(".handling", has_text=f"Giao cho {station.name}").wait_for()
    assert await row.locator("button, select").count() == 0
    await reader.screenshot()
    assert reader.errors == []

    await report(platform, cluster, "ONLINE")  # the incident closes: the panel and the tiles as before
    await row.wait_for(state="detached", timeout=10_000)


async def test_signing_out_and_in_again_draws_the_map_again_with_no_console_error(
    platform: Platform, province: Province, console_gateway: ConsoleGateway, watched: Watched
) -> None:
    """Failed before the fix: the signed-out console's Leaflet map stayed on its element (and
    kept fitting itself into the hidden, sizeless panel: ``Invalid LatLng (NaN, NaN)``), so
    the second sign-in's map could not be made there and the console never came up."""
    page = watched.page
    await sign_in(page, console_gateway.url, platform.keys["admin"])
    await page.click("#sign-out")
    await page.wait_for_selector("#sign-in-form", state="visible")
    await page.evaluate("document.body.dataset.ready = 'false'")
    await page.fill("#api-key", platform.keys["reader"])
    await page.click("#sign-in-form button[type=submit]")
    await page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    await page.wait_for_selector("#connection[data-state=live]", timeout=15_000)
    drawn = await page.eval_on_selector_all("#map [data-station]", "nodes => nodes.map(n => n.dataset.station)")
    assert sorted(drawn) == sorted(s.raw for s in province.stations)
    assert watched.errors == []
