"""Emergency alerts through the HTTP API: an alert to a district reaches every station of its
communes, reports the ones that did not acknowledge, and only callers allowed to issue do."""

from __future__ import annotations

import asyncio
import datetime

from libs.common.principal import Principal
from tests.integration.broadcast.conftest import Platform, Province

ISSUER = Principal(subject="ioc:duty-officer", scopes=frozenset({"alerts:issue", "read"}))
WRITER = Principal(subject="vnpt:monitoring", partner="VNPT", scopes=frozenset({"broadcast:write"}))
PAC_NAM_ISSUER = Principal(subject="pac-nam", scopes=frozenset({"alerts:issue"}), unit_code="062")


def later(hours: float) -> str:
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=hours)).isoformat()


def alert(unit_code: str | None = "061", expires_at: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "category": "disaster",
        "priority": "critical",
        "title": "Lũ quét",
        "message": "Nguy cơ lũ quét trên sông Năng; sơ tán các hộ ven sông.",
        "expires_at": expires_at or later(6),
    }
    if unit_code is not None:
        body["unit_code"] = unit_code
    return body


async def test_an_alert_to_a_district_reaches_its_stations_and_reports_who_did_not_acknowledge(
    platform: Platform, province: Province
) -> None:
    issued = await platform.command("alerts/issue", alert("061"), principal=ISSUER)
    alert_id, *stations = issued["ids"]
    assert sorted(stations) == sorted([province.stations["00001"], province.stations["00002"]])
    await platform.command(
        f"alerts/{alert_id}/acknowledge", {"station_id": province.stations["00001"]}, principal=WRITER
    )
    outsider = await platform.command(
        f"alerts/{alert_id}/acknowledge", {"station_id": province.stations["00003"]}, expect=404
    )
    assert outsider["code"] == "station_not_alerted"
    await asyncio.sleep(1.5)  # past the deadline of 0.02 minutes below
    await platform.caught_up()
    view = await platform.get(f"/alerts/{alert_id}")
    assert (view["station_count"], view["acknowledged"], view["priority"]) == (2, 1, "critical")
    report = await platform.get(f"/alerts/{alert_id}/unacknowledged", after_minutes=0.02)
    assert report["complete"] is True
    assert [s["station_id"] for s in report["not_acknowledged"]] == [province.stations["00002"]]
    pending = await platform.get(f"/alerts/{alert_id}/unacknowledged", after_minutes=30)
    assert pending["complete"] is False
    assert [s["station_id"] for s in pending["not_acknowledged"]] == [province.stations["00002"]]


async def test_only_callers_with_alerts_issue_may_issue_and_only_in_their_area(
    platform: Platform, province: Province
) -> None:
    forbidden = await platform.command("alerts/issue", alert("061"), principal=WRITER, expect=403)
    assert forbidden["code"] == "forbidden"
    elsewhere = await platform.command("alerts/issue", alert("061"), principal=PAC_NAM_ISSUER, expect=403)
    assert (elsewhere["code"], elsewhere["details"]["own_unit_code"]) == ("outside_own_unit", "062")
    own = await platform.command("alerts/issue", alert("062"), principal=PAC_NAM_ISSUER)
    assert own["ids"][1:] == [province.stations["00003"]]


async def test_an_alert_without_area_or_already_expired_is_refused(platform: Platform, province: Province) -> None:
    no_area = await platform.command("alerts/issue", alert(None), expect=400)
    assert no_area["code"] == "alert_without_area"
    expired = await platform.command("alerts/issue", alert("061", later(-1)), expect=400)
    assert expired["code"] == "alert_expired"
    unknown = await platform.command("alerts/issue", alert("99999"), expect=404)
    assert unknown["code"] == "unknown_unit"
