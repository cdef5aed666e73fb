"""Bulk ingestion's table of the authorization matrix (``authz-matrix-bulk`` in
docs/services/gateway-security.md), cell by cell: the batch mutations through /graphql and the
bulk routes through ``/api/v1/bulk/…``.

A batch's refusal may be the whole request's (a missing scope on a signal or relay batch: an
error, or a 403) or each item's (a unit outside the caller's, or a scope the item-by-item
routes' service refuses per item): both count, read from the error or from the items' codes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from tests.integration.gateway.api_fixtures import INDICATOR
from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import (
    BA_BE,
    CALLERS,
    FORBIDDEN,
    WHO,
    Cell,
    Targets,
    build_targets,
    classify,
    matrix_platform,
    read_table,
)
from tests.support.principals import ADMIN, PrincipalAuth

__all__ = ["matrix_platform"]

RESULT = "{ accepted duplicate rejected items { index status code message } }"
SIGNALS = f"mutation($input: [ReportClusterSignalInput!]!) {{ reportClusterSignals(input: $input) {RESULT} }}"
RELAYS = f"mutation($input: [RecordRelayInput!]!) {{ recordRelaySessions(input: $input) {RESULT} }}"
VALUES = f"mutation($input: [ReportIndicatorValueInput!]!) {{ reportIndicatorValues(input: $input) {RESULT} }}"
STEPS = f"mutation($input: [BulkDeliveryStepInput!]!) {{ recordDeliverySteps(input: $input) {RESULT} }}"

Rest = Callable[[int, Targets], tuple[str, list[dict[str, Any]]]]
"""A REST row's route and items for the caller of column ``i``."""


class BulkTargets(Targets):
    programmes: list[str]
    """One programme of Ba Bể per column, each sent to VNPT's station: a delivery is received once."""


def _raw(global_id: str) -> str:
    return global_id.split(":", 1)[1]


def _signal(i: int, t: Targets, minute: int) -> dict[str, Any]:
    return {"clusterId": t.cluster, "signal": "ONLINE", "observedAt": f"2023-05-0{i + 1}T08:{minute:02d}:00+07:00"}


def _relay(i: int, t: Targets, hour: int) -> dict[str, Any]:
    day = f"2023-06-0{i + 1}"
    return {
        "stationId": t.station,
        "source": "VOV1",
        "startedAt": f"{day}T{hour:02d}:00:00+07:00",
        "endedAt": f"{day}T{hour:02d}:30:00+07:00",
    }


def _value(i: int, unit: str, period: str) -> dict[str, Any]:
    return {"indicatorCode": INDICATOR, "unitCode": unit, "period": period, "value": 30.0 + i}


def _programme(t: Targets, i: int) -> str:
    assert isinstance(t, BulkTargets)
    return t.programmes[i]


CELLS: dict[str, Cell] = {}
"""No single-input mutations here: the nested check of test_authz_matrix.py has nothing to send."""

GRAPHQL: dict[str, Cell] = {
    "reportClusterSignals (VNPT's cluster)": lambda i, t: (SIGNALS, {"input": [_signal(i, t, 0), _signal(i, t, 1)]}),
    "recordRelaySessions (VNPT's station)": lambda i, t: (RELAYS, {"input": [_relay(i, t, 5), _relay(i, t, 7)]}),
    "reportIndicatorValues (a Ba Bể commune)": lambda i, t: (VALUES, {"input": [_value(i, "06100", "2022")]}),
    "recordDeliverySteps (VNPT's station)": lambda i, t: (
        STEPS,
        {"input": [{"programmeId": _programme(t, i), "stationId": t.station, "step": "RECEIVED"}]},
    ),
    "reportIndicatorValues (Pác Nặm)": lambda i, t: (VALUES, {"input": [_value(i, "06200", "2022")]}),
}

REST: dict[str, Rest] = {
    "POST /api/v1/bulk/signal-reports (VNPT's cluster)": lambda i, t: (
        "signal-reports",
        [{"cluster_id": _raw(t.cluster), "kind": "HEARTBEAT", "observed_at": f"2023-07-0{i + 1}T08:00:00+07:00"}],
    ),
    "POST /api/v1/bulk/relay-sessions (VNPT's station)": lambda i, t: (
        "relay-sessions",
        [
            {
                "station_id": _raw(t.station),
                "source": "VTV1",
                "started_at": f"2023-08-0{i + 1}T05:00:00+07:00",
                "ended_at": f"2023-08-0{i + 1}T06:00:00+07:00",
            }
        ],
    ),
    "POST /api/v1/bulk/indicator-values (a Ba Bể commune)": lambda i, t: (
        "indicator-values",
        [{"indicator_code": INDICATOR, "unit_code": "06100", "period": "2021", "value": 20.0 + i}],
    ),
    "POST /api/v1/bulk/delivery-steps (VNPT's station)": lambda i, t: (
        "delivery-steps",
        [{"programme_id": _raw(_programme(t, i)), "station_id": _raw(t.station), "step": "aired"}],
    ),
    "POST /api/v1/bulk/indicator-values (Pác Nặm)": lambda i, t: (
        "indicator-values",
        [{"indicator_code": INDICATOR, "unit_code": "06200", "period": "2021", "value": 20.0 + i}],
    ),
}


# --- what a mutation's result shows a writer without ``read`` (test_authz_matrix.py) ---------

NESTED: dict[str, dict[str, str]] = {"BulkResult": {}}
DIRECT = {"BulkResult": "accepted duplicate rejected items { index status key ids code message }"}
OWN = {("BulkResult", "items")}
"""Object fields that show the written items themselves (their results), not past them."""


def items_outcome(items: list[dict[str, Any]]) -> str:
    """A batch's items as one cell: ``ok`` when every item went in, else the first refusal."""
    for item in items:
        if str(item["status"]).lower() == "rejected":
            code = str(item.get("code")).upper()
            return FORBIDDEN.get(code, f"error {code}: {item.get('message')}")
    return "ok"


def graphql_outcome(result: dict[str, Any]) -> str:
    if result.get("errors"):
        return classify(result)
    [answer] = result["data"].values()
    return items_outcome(answer["items"])


def rest_outcome(response: httpx.Response) -> str:
    if response.status_code == 200:
        return items_outcome(response.json()["items"])
    if response.status_code == 401:
        return "401"
    code = response.json().get("code", "")
    return FORBIDDEN.get(code.upper(), f"error {response.status_code} {code}")


async def until_known(send: Callable[[], Any]) -> str:
    """A service that has not yet seen a unit, station or programme (its view follows the log)
    answers ``unknown_…``: that is waiting, not an answer."""
    async with asyncio.timeout(30):
        while True:
            outcome = await send()
            if not outcome.startswith("error UNKNOWN_") and "unknown_" not in outcome:
                return str(outcome)
            await asyncio.sleep(0.1)


async def build_bulk_targets(platform: Platform) -> BulkTargets:
    """The matrix's province, and a programme of Ba Bể per column sent to VNPT's station."""
    base = await build_targets(platform)
    targets = BulkTargets()
    targets.station, targets.cluster, targets.programmes = base.station, base.cluster, []
    record = "mutation($input: RecordProgrammeInput!) { recordProgramme(input: $input) { id } }"
    auth = PrincipalAuth(platform.settings, ADMIN, "broadcast")
    async with httpx.AsyncClient(base_url=platform.settings.broadcast_url, auth=auth) as broadcast:
        for i in range(len(CALLERS)):
            programme = {"title": f"Bản tin {i}", "producerCode": BA_BE, "airDate": "2023-09-01", "newsItems": 1,
                         "articles": 0, "durationSeconds": 600}  # fmt: skip
            found = await platform.data(record, {"input": programme})
            programme_id = found["recordProgramme"]["id"]
            body = {"station_ids": [_raw(base.station)], "due_at": "2023-09-01T18:00:00+07:00",
                    "sent_at": "2023-09-01T06:00:00+07:00"}  # fmt: skip

            async def sent(programme_id: str = programme_id, body: dict[str, Any] = body) -> bool:
                response = await broadcast.post(f"/commands/programmes/{_raw(programme_id)}/send", json=body)
                assert response.status_code in {201, 404}, response.text  # 404: the station not seen yet
                return response.status_code == 201

            await platform.eventually(sent, timeout=30)
            targets.programmes.append(programme_id)
    return targets


async def test_every_bulk_operation_is_allowed_or_refused_as_the_matrix_specifies(matrix_platform: Platform) -> None:
    platform = matrix_platform
    matrix = read_table("authz-matrix-bulk")
    assert set(matrix) == set(GRAPHQL) | set(REST), set(matrix) ^ (set(GRAPHQL) | set(REST))
    targets = await build_bulk_targets(platform)
    for label, expected in matrix.items():
        observed: dict[str, str] = {}
        for i, caller in enumerate(CALLERS):
            who = WHO[caller]
            if label in GRAPHQL:
                query, variables = GRAPHQL[label](i, targets)

                async def by_graphql(q: str = query, v: dict[str, Any] = variables, w: str | None = who) -> str:
                    return graphql_outcome(await platform.graphql(q, v, who=w))

                observed[caller] = await until_known(by_graphql)
            else:
                route, items = REST[label](i, targets)

                async def by_rest(r: str = route, body: list[dict[str, Any]] = items, w: str | None = who) -> str:
                    headers = platform.auth(w) if w else {}
                    return rest_outcome(await platform.http.post(f"/api/v1/bulk/{r}", json=body, headers=headers))

                observed[caller] = await until_known(by_rest)
        assert observed == expected, f"{label}: expected {expected}, got {observed}"
