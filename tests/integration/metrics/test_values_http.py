"""Reported and computed values through the metrics service's HTTP API, on a small structure
registered through the registry's commands."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from libs.common.principal import Principal
from tests.integration.metrics.conftest import Metrics

DISTRICT_CENTRE = Principal(
    subject="district:061", partner="TTVH-061", scopes=frozenset({"metrics:write", "read"}), unit_code="061"
)


async def _structure(metrics: Metrics) -> None:
    """Province 06, districts 061 and 062, communes 01864 and 01867 under 061 and 01900 under
    062, two villages in 01864 and one in each other commune."""
    units = [
        {"code": "06", "name": "Tỉnh Bắc Kạn", "level": "province"},
        {"code": "061", "name": "Huyện Ba Bể", "level": "district", "parent_code": "06"},
        {"code": "062", "name": "Huyện Pác Nặm", "level": "district", "parent_code": "06"},
        {"code": "01864", "name": "Xã Bành Trạch", "level": "commune", "parent_code": "061"},
        {"code": "01867", "name": "Xã Phúc Lộc", "level": "commune", "parent_code": "061"},
        {"code": "01900", "name": "Xã Bộc Bố", "level": "commune", "parent_code": "062"},
        {"code": "01864-T01", "name": "Thôn 1", "level": "village", "parent_code": "01864"},
        {"code": "01864-T02", "name": "Thôn 2", "level": "village", "parent_code": "01864"},
        {"code": "01867-T01", "name": "Thôn 1", "level": "village", "parent_code": "01867"},
        {"code": "01900-T01", "name": "Thôn 1", "level": "village", "parent_code": "01900"},
    ]
    for unit in units:
        await metrics.register("units/register", {**unit, "valid_from": "2020-01-01"})


async def _station(metrics: Metrics, commune: str, technology: str, installed_on: str) -> str:
    body = {"unit_code": commune, "technology": technology, "installed_on": installed_on}
    return str((await metrics.register("radio-stations/register", body))["ids"][0])


async def test_computed_counts_and_shares_roll_up_the_hierarchy_as_of_the_period_end(metrics: Metrics) -> None:
    await _structure(metrics)
    await _station(metrics, "01864", "IP", "2021-03-01")
    await _station(metrics, "01867", "FM", "2020-05-01")
    await _station(metrics, "01900", "IP", "2022-06-01")
    await metrics.caught_up()

    share_2021 = await metrics.value("radio.communes.ip_share", "06", "2021")
    assert share_2021["value"] == 100 * 1 / 3
    assert share_2021["origin"] == "formula"
    share_2022 = await metrics.value("radio.communes.ip_share", "06", "2022")
    assert share_2022["value"] == 100 * 2 / 3
    district = await metrics.value("radio.communes.ip_share", "061", "2022")
    assert district["value"] == 50.0
    by_level = await metrics.get("/values/at-level", codes="radio.communes.ip", period="2022", level="commune")
    assert {v["unit_code"]: v["value"] for v in by_level} == {"01864": 1.0, "01867": 0.0, "01900": 1.0}
    mid_2022 = await metrics.value("radio.communes.ip", "062", "2022", as_of="2022-05-31")
    assert mid_2022["value"] == 0.0
    assert (await metrics.value("admin.villages", "061", "2022"))["value"] == 3.0


async def test_a_reported_percentage_against_its_target_shows_progress_and_keeps_corrections(metrics: Metrics) -> None:
    await _structure(metrics)
    await metrics.caught_up()
    await metrics.command("targets/set", {"indicator_code": "citizens.bank_account_15plus", "unit_code": "06",
                                          "year": 2022, "target": 50})  # fmt: skip
    await metrics.command("values/report", {"indicator_code": "citizens.bank_account_15plus", "unit_code": "06",
                                            "period": "2022", "value": 49.0, "source": "NHNN Bắc Kạn"})  # fmt: skip
    await metrics.command("values/report", {"indicator_code": "citizens.bank_account_15plus", "unit_code": "06",
                                            "period": "2022", "value": 50.72, "source": "NHNN Bắc Kạn",
                                            "comment": "year-end review"})  # fmt: skip

    async def corrected() -> dict[str, Any] | None:
        found = await metrics.value("citizens.bank_account_15plus", "06", "2022")
        return found if found["value"] == 50.72 else None

    value = await metrics.eventually(corrected)
    assert value["target"] == 50.0
    assert round(value["progress"], 1) == 101.4
    assert value["source"] == "NHNN Bắc Kạn"
    history = await metrics.get("/values/history", code="citizens.bank_account_15plus", unit_code="06", period="2022")
    assert [(h["value"], h["previous_value"]) for h in history] == [(49.0, None), (50.72, 49.0)]
    assert all(h["actor"] == "test:admin" for h in history)
    behind = await metrics.get("/targets/behind", code="citizens.bank_account_15plus", period="2022", level="province")
    assert behind == []


async def test_flows_add_months_up_to_quarters_and_years_and_stocks_take_the_latest(metrics: Metrics) -> None:
    await _structure(metrics)
    await metrics.caught_up()
    for period, value in [("2023-01", 10), ("2023-02", 20), ("2023Q2", 5), ("2023-12", 1)]:
        await metrics.command("values/report", {"indicator_code": "economy.ecommerce_transactions",
                                                "unit_code": "01864", "period": period, "value": value})  # fmt: skip
    for period, value in [("2023-03", 100), ("2023-11", 140)]:
        await metrics.command("values/report", {"indicator_code": "economy.ecommerce_households",
                                                "unit_code": "01864", "period": period, "value": value})  # fmt: skip
    await metrics.caught_up()
    flow = "economy.ecommerce_transactions"
    assert (await metrics.value(flow, "01864", "2023Q1"))["value"] == 30.0
    assert (await metrics.value(flow, "01864", "2023"))["value"] == 36.0
    assert (await metrics.value(flow, "061", "2023"))["value"] == 36.0  # rolled up: sum over the communes
    stock = "economy.ecommerce_households"
    assert (await metrics.value(stock, "01864", "2023"))["value"] == 140.0
    assert (await metrics.value(stock, "01864", "2023", as_of="2023-10-31"))["value"] == 100.0
    complete = await metrics.get("/completeness", codes=flow, period="2023", level="commune")
    assert [u["unit_code"] for u in complete[0]["missing"]] == ["01867", "01900"]
    assert (complete[0]["expected"], complete[0]["reported"]) == (3, 1)


async def test_bad_input_is_a_clear_4xx_and_appends_nothing(metrics: Metrics) -> None:
    await _structure(metrics)
    await metrics.caught_up()
    conn = await asyncpg.connect(metrics.database_url)
    before = await conn.fetchval("SELECT count(*) FROM metrics.events")
    report = {"indicator_code": "citizens.bank_account_15plus", "unit_code": "06", "period": "2022", "value": 130}
    cases: list[tuple[dict[str, Any], int, str]] = [
        (report, 400, "value_out_of_range"),
        ({**report, "value": 50, "period": "2022Q5"}, 400, "invalid_period"),
        ({**report, "value": 50, "indicator_code": "nope.nope"}, 404, "unknown_indicator"),
        ({**report, "value": 50, "unit_code": "99999"}, 404, "unknown_unit"),
        ({**report, "value": 50, "indicator_code": "admin.communes"}, 400, "not_reported"),
        ({**report, "value": "fifty"}, 400, "invalid_request"),
    ]
    for body, status, code in cases:
        response = await metrics.client.post("/commands/values/report", json=body)
        assert (response.status_code, response.json()["code"]) == (status, code), body
    formula = {"code": "test.loop", "name_vi": "x", "name_en": "x", "unit": "count", "kind": "stock",
               "rollup": "ratio_of_sums", "method": "formula", "group": "test"}  # fmt: skip
    for definition, code in [
        ({**formula, "formula": "{test.loop} + 1"}, "formula_cycle"),
        ({**formula, "formula": "{no.such} * 2"}, "unknown_reference"),
        ({**formula, "formula": "__import__('os')"}, "invalid_formula"),
    ]:
        response = await metrics.client.post("/commands/catalogue/define", json={"indicators": [definition]})
        assert (response.status_code, response.json()["code"]) == (400, code)
    assert await conn.fetchval("SELECT count(*) FROM metrics.events") == before
    await conn.close()


async def test_the_openapi_document_names_every_route(metrics: Metrics) -> None:
    document = (await metrics.client.get("/docs/openapi.json")).json()
    operations = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    expected = {"reportIndicatorValue", "setIndicatorTarget", "defineIndicators", "indicatorValues",
                "indicatorValuesAtLevel", "ranking", "completeness", "exportCsv", "unitsBehindTarget"}  # fmt: skip
    assert expected <= operations


async def test_the_csv_export_has_a_row_per_indicator_unit_and_period(metrics: Metrics) -> None:
    await _structure(metrics)
    await _station(metrics, "01864", "IP", "2021-03-01")
    await metrics.caught_up()
    response = await metrics.client.get(
        "/export.csv",
        params={"codes": "radio.stations,radio.communes.ip_share", "periods": "2021,2022", "level": "district"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = [line.split(",") for line in response.text.strip().split("\n")]
    assert rows[0][:6] == ["indicator", "unit_code", "unit_name", "level", "period", "value"]
    assert len(rows) == 1 + 2 * 2 * 2
    assert ["radio.communes.ip_share", "061", "Huyện Ba Bể", "district", "2022", "50"] in [r[:6] for r in rows]
    assert ["radio.stations", "062", "Huyện Pác Nặm", "district", "2021", "0"] in [r[:6] for r in rows]


async def test_division_by_zero_gives_null_with_a_reason(metrics: Metrics) -> None:
    await _structure(metrics)
    await metrics.caught_up()
    value = await metrics.value("radio.clusters.online_share", "06", "2022")
    assert value["value"] is None
    assert "division by zero" in value["reason"]


async def test_a_district_centre_reports_for_its_own_units_only(metrics: Metrics) -> None:
    await _structure(metrics)
    await metrics.caught_up()
    auth = metrics.auth(DISTRICT_CENTRE)
    body = {"indicator_code": "egov.online_services_rate", "period": "2022", "value": 80}
    await metrics.command("values/report", {**body, "unit_code": "01864"}, principal=DISTRICT_CENTRE)
    await metrics.command("values/report", {**body, "unit_code": "061"}, principal=DISTRICT_CENTRE)
    refused = await metrics.client.post("/commands/values/report", json={**body, "unit_code": "01900"}, auth=auth)
    assert (refused.status_code, refused.json()["code"]) == (403, "outside_own_unit")
    # A unit the service does not know is outside too: a district centre does not learn which exist.
    unknown = await metrics.client.post("/commands/values/report", json={**body, "unit_code": "99999"}, auth=auth)
    assert (unknown.status_code, unknown.json()["code"]) == (403, "outside_own_unit")
    reader = Principal(subject="r", scopes=frozenset({"read"}))
    denied = await metrics.client.post(
        "/commands/values/report", json={**body, "unit_code": "01864"}, auth=metrics.auth(reader)
    )
    assert denied.status_code == 403
    nobody = metrics.auth(Principal(subject="n", scopes=frozenset({"broadcast:write"})))
    unread = await metrics.client.get("/indicators", auth=nobody)
    assert (unread.status_code, unread.json()["code"]) == (403, "forbidden")
    assert (await metrics.client.get("/indicators", auth=metrics.auth(reader))).status_code == 200


async def test_a_merged_commune_keeps_its_history_and_its_assets_count_for_its_successor(metrics: Metrics) -> None:
    await _structure(metrics)
    await _station(metrics, "01864", "IP", "2021-03-01")
    await _station(metrics, "01867", "FM", "2021-03-01")
    successor = {"code": "01864", "name": "Xã Ba Bể", "level": "commune", "parent_code": "061",
                 "valid_from": "2025-07-01"}  # fmt: skip
    await metrics.register(
        "units/merge", {"source_codes": ["01864", "01867"], "effective_on": "2025-07-01", "successor": successor}
    )
    await metrics.caught_up()
    assert (await metrics.value("admin.communes", "061", "2024"))["value"] == 2.0
    assert (await metrics.value("admin.communes", "061", "2025"))["value"] == 1.0
    old = await metrics.value("radio.stations", "01867", "2025")  # on its last day, 2025-06-30
    assert (old["unit_name"], old["value"]) == ("Xã Phúc Lộc", 1.0)
    new = await metrics.value("radio.stations", "01864", "2025")
    assert (new["unit_name"], new["value"]) == ("Xã Ba Bể", 2.0)
    assert (await metrics.value("radio.stations", "01864", "2024"))["unit_name"] == "Xã Bành Trạch"
    assert (await metrics.value("radio.stations", "06", "2025"))["value"] == 2.0
    body = {"indicator_code": "egov.online_services_rate", "unit_code": "01867", "period": "2025Q1", "value": 70}
    await metrics.command("values/report", body)


async def test_two_concurrent_reports_of_one_value_both_land_one_as_a_correction_of_the_other(metrics: Metrics) -> None:
    await _structure(metrics)
    await metrics.caught_up()
    body = {"indicator_code": "egov.online_services_rate", "unit_code": "061", "period": "2023"}
    responses = await asyncio.gather(
        *(metrics.client.post("/commands/values/report", json={**body, "value": v}) for v in (61.0, 62.0))
    )
    assert [r.status_code for r in responses] == [201, 201]
    await metrics.caught_up()
    history = await metrics.get("/values/history", code=body["indicator_code"], unit_code="061", period="2023")
    assert [h["version"] for h in history] == [1, 3]  # each report with its value-changed event
    first, second = history
    assert second["previous_value"] == first["value"]
    assert {first["value"], second["value"]} == {61.0, 62.0}
    assert (await metrics.value(body["indicator_code"], "061", "2023"))["value"] == second["value"]


async def test_units_behind_target_are_listed_least_progress_first(metrics: Metrics) -> None:
    await _structure(metrics)
    await metrics.caught_up()
    rate = "egov.online_services_rate"
    for unit, target, value in [("01864", 90, 45), ("01867", 80, 80), ("01900", 90, 81)]:
        await metrics.command(
            "targets/set", {"indicator_code": rate, "unit_code": unit, "year": 2023, "target": target}
        )
        await metrics.command("values/report", {"indicator_code": rate, "unit_code": unit, "period": "2023",
                                                "value": value})  # fmt: skip
    await metrics.caught_up()
    behind = await metrics.get("/targets/behind", code=rate, period="2023", level="commune")
    assert [(v["unit_code"], v["progress"]) for v in behind] == [("01864", 50.0), ("01900", 90.0)]
    bad = await metrics.client.post(
        "/commands/targets/set", json={"indicator_code": rate, "unit_code": "01864", "year": 2023, "target": 130}
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "value_out_of_range")
