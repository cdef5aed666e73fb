"""Unit groups as a metrics scope (ADR 0056): values, rankings, completeness, timeliness and the
CSV export of a group's members on the period's last day, and the group rolled up as a whole;
membership comes from the registry's events, dated."""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.integration.metrics.conftest import Metrics
from tests.integration.metrics.test_values_http import _station, _structure

FIBRE = "telecom.fibre_km"
PILOT = "PILOT"


async def _pilot_group(metrics: Metrics) -> None:
    """PILOT: Bành Trạch (01864) from 2021, Bộc Bố (01900) in 2021-2022 only; Phúc Lộc never."""
    await metrics.register("unit-groups/create", {"code": "pilot", "name": "Xã thí điểm", "source": "test"})
    for unit_code in ("01864", "01900"):
        await metrics.register(f"unit-groups/{PILOT}/members/add", {"unit_code": unit_code, "joined_on": "2021-01-01"})
    await metrics.register(f"unit-groups/{PILOT}/members/remove", {"unit_code": "01900", "left_on": "2023-01-01"})


async def test_a_group_scopes_the_level_queries_to_its_members_on_the_period_s_last_day(metrics: Metrics) -> None:
    await _structure(metrics)
    await _pilot_group(metrics)
    await _station(metrics, "01864", "IP", "2021-03-01")
    await _station(metrics, "01867", "IP", "2020-05-01")
    await _station(metrics, "01900", "FM", "2021-06-01")
    await metrics.caught_up()
    await metrics.command(
        "values/report", {"indicator_code": FIBRE, "unit_code": "01864", "period": "2022", "value": 7}
    )
    await metrics.caught_up()

    def codes(rows: list[dict[str, str]]) -> list[str]:
        return [r["unit_code"] for r in rows]

    scoped: dict[str, Any] = {"level": "commune", "group_code": PILOT}
    in_2022 = await metrics.get("/values/at-level", codes="radio.stations", period="2022", **scoped)
    assert codes(in_2022) == ["01864", "01900"]
    in_2023 = await metrics.get("/values/at-level", codes="radio.stations", period="2023", **scoped)
    assert codes(in_2023) == ["01864"]

    ranked = await metrics.get("/ranking", index_code="radio.communes.ip_share", period="2022", **scoped)
    assert [(r["rank"], r["value"]["unit_code"], r["score"]) for r in ranked] == [
        (1, "01864", 100.0),
        (2, "01900", 0.0),
    ]

    [complete] = await metrics.get("/completeness", codes=FIBRE, period="2022", **scoped)
    assert (complete["expected"], complete["reported"]) == (2, 1)
    assert [u["unit_code"] for u in complete["missing"]] == ["01900"]
    [timely] = await metrics.get("/timeliness", codes=FIBRE, period="2022", **scoped)
    assert timely["expected"] == 2
    assert [u["unit_code"] for u in timely["missing"]] == ["01900"]

    response = await metrics.client.get(
        "/export.csv", params={"codes": FIBRE, "periods": "2022,2023", "level": "commune", "group_code": PILOT}
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["unit_code"], r["period"]) for r in rows] == [("01864", "2022"), ("01900", "2022"), ("01864", "2023")]


async def test_a_group_rolls_up_as_a_whole_sums_counts_and_takes_shares_of_its_sums(metrics: Metrics) -> None:
    await _structure(metrics)
    await _pilot_group(metrics)
    await _station(metrics, "01864", "IP", "2021-03-01")
    await _station(metrics, "01867", "IP", "2020-05-01")  # not a member: never counted
    await _station(metrics, "01900", "FM", "2021-06-01")
    await metrics.caught_up()
    await metrics.command(
        "values/report", {"indicator_code": FIBRE, "unit_code": "01864", "period": "2022", "value": 7}
    )
    await metrics.command(
        "values/report", {"indicator_code": FIBRE, "unit_code": "01900", "period": "2022", "value": 5}
    )
    await metrics.caught_up()

    found = await metrics.get(
        "/values/group",
        codes="radio.stations,radio.communes.ip_share,telecom.fibre_km",
        group_code="pilot",
        period="2022",
    )
    by_code = {v["indicator_code"]: v for v in found}
    assert by_code["radio.stations"]["value"] == 2.0
    assert by_code["radio.communes.ip_share"]["value"] == 50.0
    assert by_code[FIBRE]["value"] == 12.0
    assert by_code[FIBRE]["origin"] == "rollup"
    assert {v["unit_code"] for v in found} == {PILOT}
    assert {v["unit_level"] for v in found} == {"group"}
    [later] = await metrics.get("/values/group", codes="radio.stations", group_code=PILOT, period="2023")
    assert later["value"] == 1.0  # Bộc Bố left on 2023-01-01

    unknown = await metrics.get("/values/group", expect=404, codes="radio.stations", group_code="NONE", period="2022")
    assert unknown["code"] == "unknown_unit_group"
    scoped = await metrics.get("/ranking", expect=404, index_code="radio.stations", period="2022", level="commune",
                               group_code="NONE")  # fmt: skip
    assert scoped["code"] == "unknown_unit_group"
