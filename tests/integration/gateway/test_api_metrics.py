"""Every metrics capability through the gateway, in GraphQL and in ``/api/v1``: the catalogue
defined and retired, thresholds set and removed, a value's history (who, when), the units
behind target, reporting completeness and timeliness, the ranking with its breakdown, the CSV export; the
idempotency key on each command; the service's refusals reaching the caller with their code.

One platform serves the module (starting it is most of a test's time); each test works on its
own indicator codes, so the tests do not depend on each other or on their order.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from libs.common.db import create_pool
from libs.common.settings import Settings, load_settings
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from services.metrics.entrypoints.projections import PROJECTIONS as METRICS_PROJECTIONS
from tests.integration.gateway.api_fixtures import Province, build_province
from tests.integration.gateway.api_platform import Platform, start_platform
from tests.integration.gateway.stalling import stalled

CENTRE = Partner(name="metrics-ba-be", scopes=frozenset({"read", "metrics:write"}), unit_code="061")
PEOPLE = Partner(name="metrics-people", scopes=frozenset({"read", "personal-data"}))


VALUES = next(p for p in METRICS_PROJECTIONS if p.name == "metrics_values")


class Metrics:
    def __init__(self, platform: Platform, province: Province) -> None:
        self.platform = platform
        self.province = province

    @property
    def communes(self) -> list[str]:
        return self.province.communes

    async def settled(self, query: str, variables: dict[str, Any], who: str = "admin") -> dict[str, Any]:
        """A mutation's result, sent again while the metrics service has not yet seen the unit
        (its view of the registry follows the log: UNKNOWN_UNIT is waiting, not an answer)."""
        async with asyncio.timeout(30):
            while True:
                result = await self.platform.graphql(query, variables, who=who)
                codes = {e.get("extensions", {}).get("code") for e in result.get("errors") or []}
                if not any(str(c).startswith("UNKNOWN_UNIT") for c in codes):
                    return result
                await asyncio.sleep(0.1)

    async def define(self, *definitions: dict[str, Any]) -> None:
        result = await self.platform.graphql(DEFINE, {"input": {"indicators": list(definitions)}})
        assert not result.get("errors"), result

    async def report(self, code: str, unit: str, period: str, value: float, who: str = "admin") -> None:
        result = await self.settled(
            REPORT, {"input": {"indicatorCode": code, "unitCode": unit, "period": period, "value": value}}, who
        )
        assert not result.get("errors"), result

    async def rest(
        self, method: str, path: str, who: str = "admin", key: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = self.platform.auth(who) | ({"idempotency-key": key} if key else {})
        return await self.platform.http.request(method, "/api/v1" + path, headers=headers, **kwargs)


def reported(code: str, *, unit: str = "%", higher_is_better: bool = True) -> dict[str, Any]:
    return {
        "code": code,
        "nameVi": f"Chỉ tiêu {code}",
        "nameEn": f"Indicator {code}",
        "unit": unit,
        "kind": "STOCK",
        "rollup": "AVERAGE",
        "method": "REPORTED",
        "group": "test",
        "higherIsBetter": higher_is_better,
    }


def fresh(prefix: str) -> str:
    return f"test.{prefix}_{uuid.uuid4().hex[:8]}"


DEFINE = """
mutation($input: DefineIndicatorsInput!) { defineIndicators(input: $input) { code name nameEn unit } }
"""
RETIRE = "mutation($input: RetireIndicatorInput!) { retireIndicator(input: $input) { code reason replayed } }"
SET_THRESHOLD = """
mutation($input: SetAlertThresholdInput!) {
  setAlertThreshold(input: $input) { indicatorCode operator threshold level severity replayed }
}
"""
REMOVE_THRESHOLD = """
mutation($input: RemoveAlertThresholdInput!) { removeAlertThreshold(input: $input) { indicatorCode replayed } }
"""
REPORT = "mutation($input: ReportIndicatorValueInput!) { reportIndicatorValue(input: $input) { value } }"
TARGET = "mutation($input: SetIndicatorTargetInput!) { setIndicatorTarget(input: $input) { target } }"
CATALOGUE = "{ indicators { code } }"


@pytest.fixture(scope="module")
async def metrics(postgres: Any, broker: Any, state_dir: Any) -> AsyncIterator[Metrics]:
    name = "t_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(postgres.url)
    await admin.execute(f"CREATE DATABASE {name}")
    settings: Settings = load_settings(
        {},
        database_url=postgres.url.rsplit("/", 1)[0] + "/" + name,
        kafka_bootstrap=broker.bootstrap,
        kafka_enable_idempotence="off",
        projection_assignment="manual",
        topic_prefix="t" + uuid.uuid4().hex[:8],
        state_dir=str(state_dir),
    )
    try:
        async for running in start_platform(settings):
            pool = await create_pool(settings.database_url, service="test", max_size=1)
            try:
                store = PartnerStore(pool)
                running.keys["centre"] = await store.create(CENTRE)
                running.keys["people"] = await store.create(PEOPLE)
            finally:
                await pool.close()
            yield Metrics(running, await build_province(running, communes=2, villages=1))
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


class TestDefineIndicators:
    async def test_defined_indicators_are_answered_and_in_the_catalogue(self, metrics: Metrics) -> None:
        code = fresh("defined")
        data = await metrics.platform.data(DEFINE, {"input": {"indicators": [reported(code, unit="count")]}})
        assert data["defineIndicators"] == [
            {"code": code, "name": f"Chỉ tiêu {code}", "nameEn": f"Indicator {code}", "unit": "count"}
        ]
        catalogue = await metrics.platform.data(CATALOGUE, who="reader")
        assert code in {i["code"] for i in catalogue["indicators"]}

    async def test_rest_defines_with_a_key_and_a_retry_changes_nothing(self, metrics: Metrics) -> None:
        code = fresh("rest")
        body = {
            "indicators": [
                {"code": code, "name_vi": "Chỉ tiêu", "name_en": "Indicator", "unit": "%", "kind": "stock",
                 "rollup": "average", "method": "reported", "group": "test"}
            ]
        }  # fmt: skip
        first = await metrics.rest("POST", "/indicators", key=f"define-{code}", json=body)
        again = await metrics.rest("POST", "/indicators", key=f"define-{code}", json=body)
        assert first.status_code == again.status_code == 200, first.text
        assert [d["code"] for d in first.json()] == [code]
        assert again.json() == first.json()
        listed = await metrics.rest("GET", "/indicators", who="reader", params={"codes": code})
        assert [d["name_en"] for d in listed.json()] == ["Indicator"]

    async def test_a_district_centre_or_a_reader_is_refused_with_the_services_code(self, metrics: Metrics) -> None:
        """The catalogue is the administrator's: the service refuses a centre (``metrics:write``,
        bound to a district) and a reader the ``admin`` scope."""
        code = fresh("refused")
        centre = await metrics.platform.error(DEFINE, {"input": {"indicators": [reported(code)]}}, who="centre")
        reader = await metrics.platform.error(DEFINE, {"input": {"indicators": [reported(code)]}}, who="reader")
        assert (centre["extensions"]["code"], centre["extensions"]["details"]) == ("FORBIDDEN", {"scope": "admin"})
        assert reader["extensions"]["code"] == "FORBIDDEN", reader
        rest = await metrics.rest("POST", "/indicators", who="centre", json={"indicators": []})
        assert rest.status_code == 403, rest.text
        assert rest.json()["code"] == "forbidden"

    async def test_an_invalid_definition_is_a_coded_validation_error(self, metrics: Metrics) -> None:
        bad = reported("Not A Code")
        error = await metrics.platform.error(DEFINE, {"input": {"indicators": [bad]}})
        assert error["extensions"]["code"] not in {"INTERNAL", "SERVICE_UNAVAILABLE"}, error
        rest = await metrics.rest("POST", "/indicators", json={"indicators": [{"code": 1}]})
        assert rest.status_code == 400, rest.text


class TestRetireIndicator:
    async def test_a_retired_indicator_leaves_the_catalogue_and_a_retry_replays(self, metrics: Metrics) -> None:
        code = fresh("retired")
        await metrics.define(reported(code))
        variables = {"input": {"code": code, "reason": "thay bằng chỉ tiêu mới", "idempotencyKey": f"r-{code}"}}
        first = await metrics.platform.data(RETIRE, variables)
        again = await metrics.platform.data(RETIRE, variables)
        assert first["retireIndicator"] == {"code": code, "reason": "thay bằng chỉ tiêu mới", "replayed": False}
        assert again["retireIndicator"]["replayed"] is True
        catalogue = await metrics.platform.data(CATALOGUE)
        assert code not in {i["code"] for i in catalogue["indicators"]}
        redefined = await metrics.platform.error(DEFINE, {"input": {"indicators": [reported(code)]}})
        assert redefined["extensions"]["code"] == "INDICATOR_RETIRED"

    async def test_rest_retires_and_refuses_a_code_that_is_no_code(self, metrics: Metrics) -> None:
        code = fresh("rest_retired")
        await metrics.define(reported(code))
        done = await metrics.rest("POST", f"/indicators/{code}/retire", json={"reason": "gộp"})
        assert done.status_code == 200, done.text
        assert done.json() == {"code": code, "reason": "gộp", "replayed": False}
        bad = await metrics.rest("POST", "/indicators/A%20B/retire", json={})
        assert bad.status_code == 400, bad.text
        assert bad.json()["code"] == "validation"
        centre = await metrics.rest("POST", f"/indicators/{code}/retire", who="centre", json={})
        assert centre.status_code == 403, centre.text


class TestAlertThresholds:
    async def test_a_threshold_is_set_then_removed_and_the_service_holds_each(self, metrics: Metrics) -> None:
        code = fresh("threshold")
        await metrics.define(reported(code))
        threshold = {"indicatorCode": code, "operator": "LT", "threshold": 30.0, "level": "COMMUNE"}
        data = await metrics.platform.data(SET_THRESHOLD, {"input": threshold | {"severity": "CRITICAL"}})
        assert data["setAlertThreshold"] == {
            "indicatorCode": code, "operator": "LT", "threshold": 30.0, "level": "COMMUNE", "severity": "CRITICAL",
            "replayed": False,
        }  # fmt: skip
        assert await metrics.platform.eventually(lambda: stored_threshold(metrics, code)) == ("lt", 30.0, "critical")

        removed = await metrics.platform.data(REMOVE_THRESHOLD, {"input": {"indicatorCode": code}})
        assert removed["removeAlertThreshold"] == {"indicatorCode": code, "replayed": False}
        await metrics.platform.eventually(lambda: threshold_gone(metrics, code))

    async def test_rest_sets_and_removes_and_a_centre_is_refused(self, metrics: Metrics) -> None:
        code = fresh("rest_threshold")
        await metrics.define(reported(code))
        body = {"indicator_code": code, "operator": "ge", "threshold": 90.0}
        refused = await metrics.rest("POST", "/thresholds", who="centre", json=body)
        assert refused.status_code == 403, refused.text
        done = await metrics.rest("POST", "/thresholds", json=body)
        assert done.status_code == 200, done.text
        assert done.json() | {"replayed": None} == {
            "indicator_code": code, "operator": "ge", "threshold": 90.0, "level": None, "severity": "warning",
            "replayed": None,
        }  # fmt: skip
        assert await metrics.platform.eventually(lambda: stored_threshold(metrics, code)) == ("ge", 90.0, "warning")
        removed = await metrics.rest("POST", f"/thresholds/{code}/remove")
        assert removed.status_code == 200, removed.text
        await metrics.platform.eventually(lambda: threshold_gone(metrics, code))


async def _threshold_row(metrics: Metrics, code: str) -> asyncpg.Record | None:
    conn = await asyncpg.connect(metrics.platform.settings.database_url)
    try:
        return await conn.fetchrow(
            "SELECT operator, threshold, severity FROM metrics_values.thresholds WHERE code = $1", code
        )
    finally:
        await conn.close()


async def stored_threshold(metrics: Metrics, code: str) -> tuple[str, float, str] | None:
    row = await _threshold_row(metrics, code)
    return None if row is None else (row["operator"], row["threshold"], row["severity"])


async def threshold_gone(metrics: Metrics, code: str) -> bool:
    return await _threshold_row(metrics, code) is None


HISTORY = """
query($code: String!, $unit: String!, $first: Int, $after: String) {
  indicatorValueHistory(indicatorCode: $code, unitCode: $unit, period: "2024", first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { version value previousValue source partner actor recordedAt } }
  }
}
"""


class TestValueHistory:
    async def test_each_report_and_correction_shows_who_and_when(self, metrics: Metrics) -> None:
        code, unit = fresh("history"), metrics.communes[0]
        await metrics.define(reported(code))
        await metrics.report(code, unit, "2024", 40.0)
        await metrics.report(code, unit, "2024", 45.0, who="centre")

        async def both() -> dict[str, Any] | None:
            data = await metrics.platform.data(HISTORY, {"code": code, "unit": unit}, who="people")
            return data if data["indicatorValueHistory"]["totalCount"] == 2 else None

        history = (await metrics.platform.eventually(both))["indicatorValueHistory"]
        nodes = [e["node"] for e in history["edges"]]
        assert [(n["value"], n["previousValue"]) for n in nodes] == [(40.0, None), (45.0, 40.0)]
        assert nodes[0]["version"] < nodes[1]["version"]
        assert [n["partner"] for n in nodes] == ["test-admin", CENTRE.name]
        assert all(n["actor"] and n["recordedAt"] for n in nodes)

        page = await metrics.platform.data(HISTORY, {"code": code, "unit": unit, "first": 1}, who="reader")
        second = await metrics.platform.data(
            HISTORY,
            {"code": code, "unit": unit, "first": 1, "after": page["indicatorValueHistory"]["pageInfo"]["endCursor"]},
            who="reader",
        )
        assert page["indicatorValueHistory"]["pageInfo"]["hasNextPage"] is True
        assert [e["node"]["value"] for e in second["indicatorValueHistory"]["edges"]] == [45.0]
        assert second["indicatorValueHistory"]["pageInfo"]["hasNextPage"] is False
        # The reader holds no personal-data: who sent it is the partner, never the person.
        assert page["indicatorValueHistory"]["edges"][0]["node"]["actor"] is None

        rest = await metrics.rest(
            "GET", "/indicator-values/history", who="reader", params={"code": code, "unit_code": unit, "period": "2024"}
        )
        assert rest.status_code == 200, rest.text
        assert [(i["value"], i["partner"], i["actor"]) for i in rest.json()["items"]] == [
            (40.0, "test-admin", None),
            (45.0, CENTRE.name, None),
        ]
        assert rest.json()["total_count"] == 2

    async def test_a_cursor_that_is_not_one_is_a_coded_error(self, metrics: Metrics) -> None:
        code = fresh("cursor")
        await metrics.define(reported(code))
        error = await metrics.platform.error(HISTORY, {"code": code, "unit": metrics.communes[0], "after": "%%%"})
        assert error["extensions"]["code"] == "INVALID_CURSOR"


BEHIND = """
query($code: String!, $first: Int) {
  unitsBehindTarget(indicatorCode: $code, period: "2024", level: COMMUNE, parentCode: "061", first: $first) {
    totalCount pageInfo { hasNextPage } edges { cursor node { value target unit { code } } }
  }
}
"""


class TestUnitsBehindTarget:
    async def test_only_the_units_trailing_their_target_are_listed(self, metrics: Metrics) -> None:
        code = fresh("behind")
        behind, ahead = metrics.communes
        await metrics.define(reported(code))
        for unit, value in ((behind, 30.0), (ahead, 80.0)):
            await metrics.report(code, unit, "2024", value)
            target = {"indicatorCode": code, "unitCode": unit, "year": 2024, "target": 50.0}
            assert not (await metrics.settled(TARGET, {"input": target})).get("errors")

        async def listed() -> dict[str, Any] | None:
            data = (await metrics.platform.data(BEHIND, {"code": code}, who="reader"))["unitsBehindTarget"]
            return data if data["totalCount"] else None

        found = await metrics.platform.eventually(listed)
        assert [e["node"] for e in found["edges"]] == [{"value": 30.0, "target": 50.0, "unit": {"code": behind}}]
        assert found["pageInfo"]["hasNextPage"] is False

        rest = await metrics.rest(
            "GET",
            "/indicator-values/behind-target",
            who="reader",
            params={"code": code, "period": "2024", "level": "commune", "parent_code": "061"},
        )
        assert rest.status_code == 200, rest.text
        assert [(i["unit_code"], i["value"], i["target"]) for i in rest.json()["items"]] == [(behind, 30.0, 50.0)]

    async def test_rest_writes_the_value_and_target_it_reads(self, metrics: Metrics) -> None:
        code, unit = fresh("rest_value"), metrics.communes[1]
        await metrics.define(reported(code))
        body = {"indicator_code": code, "unit_code": unit, "period": "2024", "value": 12.5}

        async def accepted() -> Any:
            response = await metrics.rest("POST", "/indicator-values/report", json=body)
            return None if response.status_code == 404 else response  # the service has not seen the unit yet

        value = await metrics.platform.eventually(accepted)
        assert value.status_code == 200, value.text
        assert (value.json()["unit_code"], value.json()["value"]) == (unit, 12.5)
        target = await metrics.rest(
            "POST", "/targets", json={"indicator_code": code, "unit_code": unit, "year": 2024, "target": 20.0}
        )
        assert target.status_code == 200, target.text
        assert (target.json()["value"], target.json()["target"]) == (12.5, 20.0)

    async def test_a_rest_value_whose_read_model_lags_answers_the_last_shown_with_a_warning(
        self, metrics: Metrics
    ) -> None:
        """Failed before ADR 0047: the accepted report answered an error (``read_model_lag``)."""
        code, unit = fresh("rest_lag"), metrics.communes[1]
        await metrics.define(reported(code))
        body = {"indicator_code": code, "unit_code": unit, "period": "2024", "value": 12.5}

        async def accepted() -> Any:
            response = await metrics.rest("POST", "/indicator-values/report", json=body)
            return None if response.status_code == 404 else response  # the service has not seen the unit yet

        assert "tinhso-warning" not in (await metrics.platform.eventually(accepted)).headers
        async with stalled(metrics.platform.settings.database_url, [VALUES]):
            late = await metrics.rest("POST", "/indicator-values/report", json={**body, "value": 13.5})
        assert late.status_code == 200, late.text
        assert late.json()["value"] == 12.5  # as the read model last showed it
        assert late.headers["tinhso-warning"].startswith("read_model_lag; the value was recorded")


COMPLETENESS = """
query($codes: [String!]!) {
  completeness(codes: $codes, period: "2024", level: COMMUNE, parentCode: "061") {
    totalCount edges { node { indicator { code } period expected reported missing { code } } }
  }
}
"""


class TestCompleteness:
    async def test_the_units_that_have_not_reported_are_named(self, metrics: Metrics) -> None:
        code, other = fresh("complete"), fresh("silent")
        done, silent = metrics.communes
        await metrics.define(reported(code), reported(other))
        await metrics.report(code, done, "2024", 10.0)

        async def counted() -> list[dict[str, Any]] | None:
            data = await metrics.platform.data(COMPLETENESS, {"codes": [code, other]}, who="reader")
            nodes = [e["node"] for e in data["completeness"]["edges"]]
            return nodes if nodes and nodes[0]["reported"] == 1 else None

        nodes = await metrics.platform.eventually(counted)
        assert nodes == [
            {"indicator": {"code": code}, "period": "2024", "expected": 2, "reported": 1,
             "missing": [{"code": silent}]},
            {"indicator": {"code": other}, "period": "2024", "expected": 2, "reported": 0,
             "missing": [{"code": done}, {"code": silent}]},
        ]  # fmt: skip

        rest = await metrics.rest(
            "GET",
            "/completeness",
            who="reader",
            params={"codes": f"{code},{other}", "period": "2024", "level": "commune", "parent_code": "061", "first": 1},
        )
        assert rest.status_code == 200, rest.text
        page = rest.json()
        assert (page["total_count"], page["has_next_page"]) == (2, True)
        assert [
            (i["indicator_code"], i["reported"], [u["unit_code"] for u in i["missing"]]) for i in page["items"]
        ] == [(code, 1, [silent])]


TIMELINESS = """
query($codes: [String!]!) {
  reportingTimeliness(codes: $codes, period: "2024", level: COMMUNE, parentCode: "061") {
    totalCount edges { node {
      indicator { code reportingDeadlineDays } deadline expected onTime timelinessRate completenessRate
      late { daysLate unit { code } } missing { code }
    } }
  }
}
"""


class TestTimeliness:
    async def test_a_report_after_the_deadline_is_late_and_a_silent_unit_missing(self, metrics: Metrics) -> None:
        code = fresh("timely")
        done, silent = metrics.communes
        await metrics.define({**reported(code), "reportingDeadlineDays": 15})
        await metrics.report(code, done, "2024", 10.0)  # now: long after 2025-01-15

        async def counted() -> dict[str, Any] | None:
            data = await metrics.platform.data(TIMELINESS, {"codes": [code]}, who="reader")
            nodes = [e["node"] for e in data["reportingTimeliness"]["edges"]]
            return nodes[0] if nodes and nodes[0]["late"] else None

        node = await metrics.platform.eventually(counted)
        assert node["indicator"] == {"code": code, "reportingDeadlineDays": 15}
        assert (node["deadline"], node["expected"], node["onTime"]) == ("2025-01-15", 2, 0)
        assert (node["timelinessRate"], node["completenessRate"]) == (0.0, 50.0)
        assert [late["unit"]["code"] for late in node["late"]] == [done]
        assert node["late"][0]["daysLate"] > 0
        assert node["missing"] == [{"code": silent}]

        rest = await metrics.rest(
            "GET",
            "/timeliness",
            who="reader",
            params={"codes": code, "period": "2024", "level": "commune", "parent_code": "061"},
        )
        assert rest.status_code == 200, rest.text
        [item] = rest.json()["items"]
        assert (item["on_time"], [u["unit_code"] for u in item["late"]]) == (0, [done])
        assert [u["unit_code"] for u in item["missing"]] == [silent]


RANKING = """
query($code: String!) {
  ranking(indexCode: $code, period: "2024", level: COMMUNE, parentCode: "061") {
    rank score unit { code } breakdown { indicator { code } weight value contribution missing }
  }
}
"""


class TestRanking:
    async def test_each_unit_shows_how_its_score_is_made(self, metrics: Metrics) -> None:
        a, b, index = fresh("part_a"), fresh("part_b"), fresh("index")
        first, second = metrics.communes
        composite = reported(index, unit="index") | {
            "method": "COMPOSITE",
            "components": [{"code": a, "weight": 0.75}, {"code": b, "weight": 0.25}],
        }
        await metrics.define(reported(a), reported(b), composite)
        await metrics.report(a, first, "2024", 80.0)
        await metrics.report(b, first, "2024", 40.0)
        await metrics.report(a, second, "2024", 60.0)

        async def ranked() -> list[dict[str, Any]] | None:
            rows = (await metrics.platform.data(RANKING, {"code": index}, who="reader"))["ranking"]
            return rows if [r["score"] for r in rows] == [70.0, 45.0] else None

        rows = await metrics.platform.eventually(ranked)
        assert [(r["rank"], r["unit"]["code"]) for r in rows] == [(1, first), (2, second)]
        assert rows[1]["breakdown"] == [
            {"indicator": {"code": a}, "weight": 0.75, "value": 60.0, "contribution": 45.0, "missing": False},
            {"indicator": {"code": b}, "weight": 0.25, "value": None, "contribution": 0.0, "missing": True},
        ]
        assert sum(p["contribution"] for p in rows[0]["breakdown"]) == rows[0]["score"]

        rest = await metrics.rest(
            "GET",
            "/ranking",
            who="reader",
            params={"index_code": index, "period": "2024", "level": "commune", "parent_code": "061"},
        )
        assert rest.status_code == 200, rest.text
        items = rest.json()["items"]
        assert [(i["rank"], i["score"], i["value"]["unit_code"]) for i in items] == [
            (1, 70.0, first),
            (2, 45.0, second),
        ]
        assert [p["contribution"] for p in items[0]["value"]["breakdown"]] == [60.0, 10.0]


class TestExportCsv:
    async def test_the_export_holds_every_unit_and_period_asked(self, metrics: Metrics) -> None:
        code = fresh("export")
        await metrics.define(reported(code))
        await metrics.report(code, metrics.communes[0], "2023", 11.0)
        await metrics.report(code, metrics.communes[0], "2024", 22.0)
        params = {"codes": code, "periods": "2023,2024", "level": "commune", "parent_code": "061"}

        async def exported() -> list[dict[str, str]] | None:
            response = await metrics.rest("GET", "/indicator-values/export.csv", who="reader", params=params)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith("text/csv")
            rows = list(csv.DictReader(io.StringIO(response.text)))
            return rows if sum(1 for r in rows if r.get("value")) == 2 else None

        rows = await metrics.platform.eventually(exported)
        assert len(rows) == 2 * len(metrics.communes)
        refused = await metrics.platform.http.get("/api/v1/indicator-values/export.csv", params=params)
        assert refused.status_code == 401


VALUES_AS_OF = """
query($code: String!, $asOf: Date) {
  indicatorValues(codes: [$code], period: "2024", level: COMMUNE, parentCode: "061", asOf: $asOf) {
    value unit { code }
  }
}
"""


class TestValuesAsOf:
    async def test_a_stock_is_read_as_of_a_day_inside_the_period(self, metrics: Metrics) -> None:
        code, unit = fresh("stock"), metrics.communes[0]
        await metrics.define(reported(code, unit="count"))
        await metrics.report(code, unit, "2024-03", 10.0)
        await metrics.report(code, unit, "2024-09", 20.0)

        async def value(as_of: str | None) -> float | None:
            data = await metrics.platform.data(VALUES_AS_OF, {"code": code, "asOf": as_of}, who="reader")
            found = [v["value"] for v in data["indicatorValues"] if v["unit"]["code"] == unit]
            return found[0] if found else None

        async def latest() -> bool:
            return await value(None) == 20.0

        assert await metrics.platform.eventually(latest) is True
        assert await value("2024-06-30") == 10.0
        params = {"codes": code, "period": "2024", "level": "commune", "parent_code": "061", "as_of": "2024-06-30"}
        rest = await metrics.rest("GET", "/indicator-values", who="reader", params=params)
        assert rest.status_code == 200, rest.text
        assert [v["value"] for v in rest.json() if v["unit_code"] == unit] == [10.0]


class TestDataApproval:
    async def test_a_communes_quarter_through_rest_and_graphql_with_keys_codes_and_the_lock(
        self, metrics: Metrics
    ) -> None:
        """ADR 0055 through the gateway: submitted and approved by the district centre, locked by
        the province, a correction refused with its code, reopened; each command with its key."""
        commune, other = metrics.communes[:2]
        await metrics.report("telecom.fibre_km", commune, "2024Q2", 12.0, who="centre")
        key = {"indicator_set": "telecom", "unit_code": commune, "period": "2024Q2"}

        submitted = await metrics.rest("POST", "/approvals/submit", who="centre", key="approval-1", json=key)
        again = await metrics.rest("POST", "/approvals/submit", who="centre", key="approval-1", json=key)
        assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted"), submitted.text
        assert again.json() == submitted.json()
        early = await metrics.rest("POST", "/approvals/approve", json={**key, "level": "province"})
        assert (early.status_code, early.json()["code"]) == (409, "approval_out_of_order")
        body = {**key, "level": "district"}
        assert (await metrics.rest("POST", "/approvals/approve", who="centre", json=body)).status_code == 200
        province = await metrics.rest("POST", "/approvals/approve", who="centre", json={**key, "level": "province"})
        assert (province.status_code, province.json()["code"]) == (403, "approval_step_not_yours")
        locked = await metrics.rest("POST", "/approvals/approve", json={**key, "level": "province"})
        assert locked.json()["status"] == "locked"

        value = {"indicator_code": "telecom.fibre_km", "unit_code": commune, "period": "2024Q2", "value": 13.0}
        refused = await metrics.rest("POST", "/indicator-values/report", who="centre", json=value)
        assert (refused.status_code, refused.json()["code"]) == (409, "data_locked")
        listed = await metrics.platform.data(
            """{ dataApprovals(indicatorSet: "telecom", period: "2024Q2", level: COMMUNE, parentCode: "061") {
                 totalCount edges { node { unitCode status steps { step by } } } } }"""
        )
        nodes = {e["node"]["unitCode"]: e["node"] for e in listed["dataApprovals"]["edges"]}
        assert (nodes[commune]["status"], nodes[other]["status"]) == ("LOCKED", "OPEN")
        assert [s["step"] for s in nodes[commune]["steps"]] == [
            "SUBMITTED",
            "DISTRICT_APPROVED",
            "PROVINCE_APPROVED",
            "LOCKED",
        ]
        one = await metrics.rest("GET", "/approvals/one", params=key)
        assert one.json()["status"] == "locked"

        reopen = "mutation($input: ReopenDataInput!) { reopenData(input: $input) { status } }"
        graph_key = {"indicatorSet": "telecom", "unitCode": commune, "period": "2024Q2"}
        blank = await metrics.platform.error(reopen, {"input": {**graph_key, "reason": " "}})
        assert blank["extensions"]["code"] == "INVALID_REASON"
        reopened = await metrics.platform.data(reopen, {"input": {**graph_key, "reason": "Số liệu quý II sai"}})
        assert reopened["reopenData"]["status"] == "OPEN"
        assert (await metrics.rest("POST", "/indicator-values/report", who="centre", json=value)).status_code == 200
