"""Unit groups through the gateway (ADR 0056), in GraphQL and in ``/api/v1``: a group created,
its members added and removed on dates and read as of a day; only the province's operators edit
it; a retried command with its key is answered once; and the metrics reads scoped to the group
(ranking, completeness, timeliness, the CSV export) and the group rolled up as a whole; a
membership on the live feed, placed at its unit.

One platform serves the module; each test works on its own group code.
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
from tests.integration.gateway.api_fixtures import Province, build_province
from tests.integration.gateway.api_platform import Platform, start_platform
from tests.integration.gateway.test_subscriptions_live import request, subscribed, subscriber

CENTRE = Partner(name="groups-ba-be", scopes=frozenset({"read", "registry:write"}), unit_code="061")

CREATE = "mutation($input: CreateUnitGroupInput!) { createUnitGroup(input: $input) { code name source } }"
ADD = """mutation($input: AddUnitGroupMemberInput!) {
  addUnitGroupMember(input: $input) { code asOf members { unitCode joinedOn leftOn } } }"""
REMOVE = """mutation($input: RemoveUnitGroupMemberInput!) {
  removeUnitGroupMember(input: $input) { code asOf members { unitCode } } }"""
GROUPS = """query($codes: [String!], $asOf: Date) {
  unitGroups(codes: $codes, asOf: $asOf) { totalCount edges { node {
    code name members { unitCode unitName level joinedOn leftOn unit { code name } } } } } }"""
DEFINE = "mutation($input: DefineIndicatorsInput!) { defineIndicators(input: $input) { code } }"
REPORT = "mutation($input: ReportIndicatorValueInput!) { reportIndicatorValue(input: $input) { value } }"
SCOPED = """query($code: String!, $group: String!) {
  ranking(indexCode: $code, period: "2023", level: COMMUNE, group: $group) { rank score unit { code } }
  completeness(codes: [$code], period: "2023", level: COMMUNE, group: $group) {
    edges { node { expected reported missing { code } } } }
  reportingTimeliness(codes: [$code], period: "2023", level: COMMUNE, group: $group) {
    edges { node { expected missing { code } } } }
  unitGroupIndicatorValues(codes: [$code, "radio.stations"], group: $group, period: "2023") {
    groupCode value origin indicator { code } }
}"""


class Groups:
    def __init__(self, platform: Platform, province: Province) -> None:
        self.platform = platform
        self.province = province

    async def rest(
        self, method: str, path: str, who: str = "admin", key: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers = self.platform.auth(who) | ({"idempotency-key": key} if key else {})
        return await self.platform.http.request(method, "/api/v1" + path, headers=headers, **kwargs)


def fresh(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}".upper()


@pytest.fixture(scope="module")
async def groups(postgres: Any, broker: Any, state_dir: Any) -> AsyncIterator[Groups]:
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
                running.keys["centre"] = await PartnerStore(pool).create(CENTRE)
            finally:
                await pool.close()
            yield Groups(running, await build_province(running, communes=3, villages=1))
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


async def _group_of(groups: Groups, code: str, members: list[str], joined_on: str = "2023-01-01") -> None:
    await groups.platform.data(CREATE, {"input": {"code": code, "name": f"Nhóm {code}"}})
    for unit_code in members:
        member = {"groupCode": code, "unitCode": unit_code, "joinedOn": joined_on}
        await groups.platform.data(ADD, {"input": member})


async def test_a_group_is_edited_and_read_as_of_a_day_in_graphql(groups: Groups) -> None:
    code = fresh("pilot")
    made = await groups.platform.data(CREATE, {"input": {"code": code.lower(), "name": "Xã thí điểm", "source": "KH"}})
    assert made["createUnitGroup"] == {"code": code, "name": "Xã thí điểm", "source": "KH"}
    [first, second, _] = groups.province.communes
    added = await groups.platform.data(ADD, {"input": {"groupCode": code, "unitCode": first, "joinedOn": "2023-01-01"}})
    assert added["addUnitGroupMember"]["members"] == [{"unitCode": first, "joinedOn": "2023-01-01", "leftOn": None}]
    await groups.platform.data(ADD, {"input": {"groupCode": code, "unitCode": second, "joinedOn": "2023-01-01"}})
    removed = await groups.platform.data(
        REMOVE, {"input": {"groupCode": code, "unitCode": second, "leftOn": "2024-01-01", "reason": "hết thí điểm"}}
    )
    assert removed["removeUnitGroupMember"]["members"] == [{"unitCode": first}]

    in_2023 = await groups.platform.data(GROUPS, {"codes": [code], "asOf": "2023-06-01"}, who="reader")
    [node] = [e["node"] for e in in_2023["unitGroups"]["edges"]]
    assert [(m["unitCode"], m["level"], m["unit"]["code"]) for m in node["members"]] == [
        (first, "COMMUNE", first),
        (second, "COMMUNE", second),
    ]
    in_2024 = await groups.platform.data(GROUPS, {"codes": [code], "asOf": "2024-06-01"}, who="reader")
    assert [m["unitCode"] for m in in_2024["unitGroups"]["edges"][0]["node"]["members"]] == [first]


async def test_only_the_province_s_operators_edit_groups_and_refusals_carry_codes(groups: Groups) -> None:
    code = fresh("refused")
    centre = await groups.platform.error(CREATE, {"input": {"code": code, "name": "x"}}, who="centre")
    reader = await groups.platform.error(CREATE, {"input": {"code": code, "name": "x"}}, who="reader")
    assert centre["extensions"]["code"] == reader["extensions"]["code"] == "FORBIDDEN"
    department = await groups.platform.data(CREATE, {"input": {"code": code, "name": "x"}}, who="writer")
    assert department["createUnitGroup"]["code"] == code
    unknown = await groups.platform.error(
        ADD, {"input": {"groupCode": fresh("none"), "unitCode": groups.province.communes[0], "joinedOn": "2023-01-01"}}
    )
    assert unknown["extensions"]["code"] == "UNKNOWN_UNIT_GROUP"
    slash = await groups.platform.error(ADD, {"input": {"groupCode": "a/b", "unitCode": "x", "joinedOn": "2023-01-01"}})
    assert slash["extensions"]["code"] == "INVALID_CODE"
    rest = await groups.rest("POST", "/unit-groups/create", who="centre", json={"code": code, "name": "x"})
    assert rest.status_code == 403, rest.text


async def test_rest_edits_a_group_with_a_key_and_lists_it_as_of_a_day(groups: Groups) -> None:
    code = fresh("rest")
    body = {"code": code, "name": "Chợ 4.0", "source": "test"}
    first = await groups.rest("POST", "/unit-groups/create", key=f"create-{code}", json=body)
    again = await groups.rest("POST", "/unit-groups/create", key=f"create-{code}", json=body)
    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert (first.json(), again.json()) == ({"ids": [code], "replayed": False}, {"ids": [code], "replayed": True})
    unit_code = groups.province.communes[2]
    added = await groups.rest(
        "POST", f"/unit-groups/{code}/members/add", json={"unit_code": unit_code, "joined_on": "2023-03-01"}
    )
    assert added.status_code == 200, added.text

    async def listed() -> Any:
        page = await groups.rest(
            "GET", "/unit-groups", who="reader", params={"group_codes": code, "as_of": "2023-06-01"}
        )
        items = page.json()["items"]
        return items if items and items[0]["members"] else None

    [group] = await groups.platform.eventually(listed)
    assert [(m["unit_code"], m["joined_on"]) for m in group["members"]] == [(unit_code, "2023-03-01")]


async def test_metrics_reads_take_the_group_as_their_scope_and_roll_it_up(groups: Groups) -> None:
    code, indicator = fresh("scope"), f"test.groups_{uuid.uuid4().hex[:8]}"
    definition = {
        "code": indicator, "nameVi": "Chỉ tiêu", "nameEn": "Indicator", "unit": "%", "kind": "STOCK",
        "rollup": "SUM", "method": "REPORTED", "group": "test", "reportingDeadlineDays": 15,
    }  # fmt: skip
    await groups.platform.data(DEFINE, {"input": {"indicators": [definition]}})
    [first, second, outside] = groups.province.communes
    await _group_of(groups, code, [first, second])
    for unit_code, value in ((first, 40.0), (outside, 90.0)):
        report = {"indicatorCode": indicator, "unitCode": unit_code, "period": "2023", "value": value}
        await groups.platform.data(REPORT, {"input": report})

    async def scoped() -> Any:
        data = await groups.platform.data(SCOPED, {"code": indicator, "group": code.lower()}, who="reader")
        [complete] = [e["node"] for e in data["completeness"]["edges"]]
        return data if complete["expected"] == 2 and complete["reported"] == 1 else None

    async with asyncio.timeout(30):
        data = await groups.platform.eventually(scoped, timeout=30)
    assert [(r["rank"], r["unit"]["code"]) for r in data["ranking"]] == [(1, first)]
    [complete] = [e["node"] for e in data["completeness"]["edges"]]
    assert complete["missing"] == [{"code": second}]
    [timely] = [e["node"] for e in data["reportingTimeliness"]["edges"]]
    assert (timely["expected"], timely["missing"]) == (2, [{"code": second}])
    rolled = {v["indicator"]["code"]: v for v in data["unitGroupIndicatorValues"]}
    assert (rolled[indicator]["value"], rolled[indicator]["origin"], rolled[indicator]["groupCode"]) == (
        40.0,
        "rollup",
        code,
    )
    assert rolled["radio.stations"]["value"] == 2.0  # one station per member commune, none outside counted

    params = {"codes": indicator, "period": "2023", "level": "commune", "group": code}
    page = await groups.rest("GET", "/completeness", who="reader", params=params)
    assert page.status_code == 200, page.text
    assert [u["unit_code"] for u in page.json()["items"][0]["missing"]] == [second]
    exported = await groups.rest(
        "GET", "/indicator-values/export.csv", who="reader", params={**params, "periods": "2023"}
    )
    assert [r["unit_code"] for r in csv.DictReader(io.StringIO(exported.text))] == [first, second]
    whole = await groups.rest(
        "GET",
        "/unit-groups/indicator-values",
        who="reader",
        params={"codes": indicator, "group": code, "period": "2023"},
    )
    assert [v["value"] for v in whole.json()] == [40.0]
    unknown = await groups.rest(
        "GET", "/ranking", who="reader", params={**params, "index_code": indicator, "group": "NONE"}
    )
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_unit_group")


MEMBER_ADDED = """
subscription($unit: String) {
  events(types: ["registry.unit_group_member_added"], unitCode: $unit) { type unitCode data }
}
"""


async def test_a_membership_reaches_the_live_feed_at_its_unit(groups: Groups) -> None:
    code, commune = fresh("live"), groups.province.communes[1]
    await groups.platform.data(CREATE, {"input": {"code": code, "name": "Nhóm"}})
    async with subscriber(groups.platform) as session:
        seen = asyncio.create_task(first_in(session, MEMBER_ADDED, {"unit": "061"}, code))
        await subscribed(groups.platform, 1)
        await groups.platform.data(ADD, {"input": {"groupCode": code, "unitCode": commune, "joinedOn": "2023-01-01"}})
        event = await asyncio.wait_for(seen, 15)
    assert (event["type"], event["unitCode"], event["data"]["unit_code"]) == (
        "registry.unit_group_member_added",
        commune,
        commune,
    )


async def first_in(session: Any, document: str, variables: dict[str, Any], group_code: str) -> dict[str, Any]:
    """The first membership event of ``group_code`` (other tests' groups share the feed)."""
    async for result in session.subscribe(request(document, **variables)):
        event: dict[str, Any] = result["events"]
        if event["data"]["group_code"] == group_code:
            return event
    raise AssertionError(f"the subscription ended without an event of {group_code}")
