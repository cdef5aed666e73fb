"""A unit's broadcast lists over the tree as it stood on a day (``as_of``): after district 061 is
dissolved and its commune 00002 moves under the province (2025-07-01, two-tier government), a
2024 report for 061 still finds 00002's rows (incidents and MTTR, airtime too), and today's tree
does not; the province's programmes as of a day leave out a district that no longer was; and the
nested lists (outreach per day, an alert's stations) page in the service."""

from __future__ import annotations

import datetime
from typing import Any

from libs.common.principal import Principal
from tests.integration.broadcast.conftest import Platform, Province
from tests.integration.broadcast.test_alerts_http import ISSUER, alert
from tests.integration.broadcast.test_incidents_http import open_incident
from tests.integration.broadcast.test_programmes_http import programme

HANDLER = Principal(
    subject="ttvh:061", partner="TTVH-061", scopes=frozenset({"broadcast:write", "read"}), unit_code="061"
)

THEN = "2024-06-01"
REORGANISED = "2025-07-01"


def session(station: str, day: str) -> dict[str, str]:
    return {
        "station_id": station,
        "source": "VOV1",
        "started_at": f"{day}T05:00:00+07:00",
        "ended_at": f"{day}T06:00:00+07:00",
    }


async def reorganise(platform: Platform) -> None:
    """00002 goes under the province and 061 (keeping 00001) is dissolved, both from 2025-07-01."""
    units = (await platform.registry.get("/units/by-code", params={"codes": "00002,061"})).json()
    ids = {u["code"]: u["unit_id"] for u in units}
    await platform.registry_command(
        f"units/{ids['00002']}/reparent", {"parent_code": "06", "effective_on": REORGANISED}
    )
    await platform.registry_command(f"units/{ids['061']}/dissolve", {"effective_on": REORGANISED})


def stations_of(rows: list[dict[str, Any]]) -> list[str]:
    return sorted({r["station_id"] for r in rows})


async def test_a_dissolved_districts_lists_as_of_a_day_before_find_the_communes_it_had_then(
    platform: Platform, province: Province
) -> None:
    one, two = province.stations["00001"], province.stations["00002"]
    await platform.command(
        "relay-sessions/record", {"sessions": [session(one, "2024-03-01"), session(two, "2024-03-01")]}
    )
    for code in ("00001", "00002"):
        await platform.command("outreach/sessions/record", {"unit_code": code, "held_on": "2024-04-01"})
    issued = await platform.command("alerts/issue", alert("00002"), principal=ISSUER)
    await reorganise(platform)
    await platform.caught_up()

    async def lists(as_of: str | None = None) -> dict[str, Any]:
        return {
            "sessions": stations_of((await platform.get("/relay-sessions", unit_code="061", as_of=as_of))["sessions"]),
            "records": sorted(
                r["unit_code"]
                for r in (await platform.get("/outreach/records", unit_code="061", as_of=as_of))["records"]
            ),
            "report": (await platform.get("/outreach", unit_code="061", period="2024", as_of=as_of))["sessions"],
            "health": stations_of(
                (await platform.get("/signal/health", unit_code="061", period="2024", as_of=as_of))["stations"]
            ),
            "alerts": [a["alert_id"] for a in (await platform.get("/alerts", unit_code="061", as_of=as_of))["alerts"]],
        }

    assert await lists(as_of=THEN) == {
        "sessions": [one, two],
        "records": ["00001", "00002"],
        "report": 2,
        "health": [one, two],
        "alerts": [issued["ids"][0]],
    }
    assert await lists() == {"sessions": [one], "records": ["00001"], "report": 1, "health": [one], "alerts": []}
    # On the day of the move the commune is the province's, not the district's.
    moved = await platform.get("/relay-sessions", unit_code="06", as_of=REORGANISED)
    assert stations_of(moved["sessions"]) == [two]


async def test_airtime_and_programmes_as_of_a_day_read_the_units_of_that_days_tree(
    platform: Platform, province: Province
) -> None:
    """``as_of`` on the airtime of a unit (and against the schedule), the programme summary and
    the programme list: Ba Bể's 2024 airtime counts 00002's station and splits by the children it
    had then; the province's
    programmes on a day after the reorganisation leave out the dissolved district's, which
    today's tree (a dissolved unit stays under its last parent) keeps."""
    one, two, three = (province.stations[c] for c in ("00001", "00002", "00003"))
    day = "2024-03-01"
    await platform.command(
        "relay-sessions/record", {"sessions": [session(one, day), session(two, day), session(three, day)]}
    )
    by_district = (await platform.command("programmes/record", {**programme(1, "061"), "air_date": day}))["ids"]
    by_province = (await platform.command("programmes/record", {**programme(2, "06"), "air_date": day}))["ids"]
    await reorganise(platform)
    await platform.caught_up()

    async def airtime(code: str, as_of: str | None = None) -> tuple[int, dict[str, int]]:
        found = await platform.get(f"/airtime/units/{code}", period="2024", as_of=as_of)
        return found["total_seconds"], {c["unit_code"]: c["total_seconds"] for c in found["children"]}

    async def adherence(code: str, as_of: str | None = None) -> tuple[int, dict[str, int]]:
        found = await platform.get(f"/schedule-adherence/units/{code}", period="2024", as_of=as_of)
        return found["aired_minutes"], {c["unit_code"]: c["aired_minutes"] for c in found["children"]}

    async def programmes(code: str, as_of: str | None = None) -> tuple[list[str], int, int]:
        page = await platform.get("/programmes", unit_code=code, as_of=as_of)
        summary = await platform.get("/programmes/summary", unit_code=code, period="2024", as_of=as_of)
        return sorted(p["programme_id"] for p in page["programmes"]), page["total_count"], summary["programmes"]

    hour = 3600
    assert await airtime("061", as_of=THEN) == (2 * hour, {"00001": hour, "00002": hour})
    assert await airtime("061") == (hour, {"00001": hour})
    assert await airtime("06", as_of=THEN) == (3 * hour, {"061": 2 * hour, "062": hour})
    assert await airtime("06", as_of=REORGANISED) == (2 * hour, {"00002": hour, "062": hour})
    assert await adherence("061", as_of=THEN) == (120, {"00001": 60, "00002": 60})
    assert await adherence("061") == (60, {"00001": 60})
    assert await adherence("06", as_of=REORGANISED) == (120, {"00002": 60, "062": 60})

    both = sorted(by_district + by_province)
    assert await programmes("06", as_of=THEN) == (both, 2, 2)
    assert await programmes("06", as_of=REORGANISED) == (by_province, 1, 1)
    assert await programmes("06") == (both, 2, 2)
    assert await programmes("061", as_of=THEN) == (by_district, 1, 1)


async def test_a_code_asked_as_of_a_day_before_its_unit_existed_is_an_unknown_unit(
    platform: Platform, province: Province
) -> None:
    before = await platform.get("/relay-sessions", expect=404, unit_code="061", as_of="2019-12-31")
    assert (before["code"], before["details"]) == ("unknown_unit", {"unit_code": "061", "as_of": "2019-12-31"})
    for path, params in [
        ("/programmes", {"unit_code": "061"}),
        ("/programmes/summary", {"unit_code": "061", "period": "2019"}),
        ("/airtime/units/061", {"period": "2019"}),
        ("/schedule-adherence/units/061", {"period": "2019"}),
    ]:
        unknown = await platform.get(path, expect=404, **params, as_of="2019-12-31")
        assert (unknown["code"], unknown["details"]["as_of"]) == ("unknown_unit", "2019-12-31"), path
    bad = await platform.broadcast.get("/relay-sessions", params={"unit_code": "061", "as_of": "last year"})
    assert bad.status_code == 400, bad.text


async def test_outreach_days_and_an_alerts_stations_page_with_a_total(platform: Platform, province: Province) -> None:
    for code, day in [("00001", "2024-04-01"), ("00002", "2024-04-01"), ("00001", "2024-04-02")]:
        await platform.command("outreach/sessions/record", {"unit_code": code, "held_on": day})
    issued = await platform.command("alerts/issue", alert("06"), principal=ISSUER)
    alert_id = issued["ids"][0]
    await platform.caught_up()

    first = await platform.get("/outreach/days", unit_code="061", period="2024", limit=2)
    assert [(d["on_date"], d["unit_code"]) for d in first["days"]] == [("2024-04-01", "00001"), ("2024-04-01", "00002")]
    assert (first["total_count"], first["next_cursor"]) == (3, first["cursors"][-1])
    rest = await platform.get("/outreach/days", unit_code="061", period="2024", limit=2, cursor=first["next_cursor"])
    assert [(d["on_date"], d["sessions"]) for d in rest["days"]] == [("2024-04-02", 1)]
    assert (rest["total_count"], rest["next_cursor"]) == (3, None)
    report = await platform.get("/outreach", unit_code="061", period="2024")
    assert report["days"] == first["days"] + rest["days"]

    everyone = sorted(province.stations.values())
    pages = await platform.query(
        "alert-stations", {"pages": [{"alert_id": alert_id, "limit": 2}, {"alert_id": "no-such-alert"}]}
    )
    assert [(p["alert_id"], p["total_count"]) for p in pages] == [(alert_id, 3), ("no-such-alert", 0)]
    assert [s["unit_code"] for s in pages[0]["stations"]] == ["00001", "00002"]
    [after] = await platform.query(
        "alert-stations", {"pages": [{"alert_id": alert_id, "after": pages[0]["next_cursor"]}]}
    )
    assert [s["unit_code"] for s in after["stations"]] == ["00003"]
    assert after["next_cursor"] is None
    assert sorted(s["station_id"] for s in pages[0]["stations"] + after["stations"]) == everyone
    forged = await platform.broadcast.post(
        "/queries/alert-stations", json={"pages": [{"alert_id": alert_id, "after": "bm90IG9uZQ=="}]}
    )
    assert (forged.status_code, forged.json()["code"]) == (400, "invalid_cursor")


async def test_a_dissolved_districts_incidents_and_mttr_as_of_a_day_before_count_the_communes_it_had_then(
    platform: Platform, province: Province
) -> None:
    """``as_of`` on the incident list and MTTR, as on the other lists: 00002's incident is the
    district's on a day of 2024, and not in today's tree."""
    built = await platform.registry_command(
        "speaker-clusters/register", {"station_id": province.stations["00002"], "installed_on": "2021-02-01"}
    )
    await platform.caught_up()
    incident_id = await open_incident(platform, built["ids"][0])
    await platform.command(f"incidents/{incident_id}/resolve", {"cause": "power_outage"}, principal=HANDLER)
    await reorganise(platform)
    await platform.caught_up()
    year = str(datetime.date.today().year)

    async def listed(as_of: str | None = None) -> tuple[list[str], int]:
        page = await platform.get("/incidents", unit_code="061", as_of=as_of)
        mttr = await platform.get("/incidents/mttr", unit_code="061", period=year, by="cause", as_of=as_of)
        return [i["incident_id"] for i in page["incidents"]], sum(g["resolved"] for g in mttr["groups"])

    assert await listed(as_of=THEN) == ([incident_id], 1)
    assert await listed() == ([], 0)
