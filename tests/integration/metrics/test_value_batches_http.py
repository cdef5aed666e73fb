"""A batch of indicator values through the metrics service's ``/commands/batches/indicator-values``
(ADR 0046): every value its own report with its own key and result, a retry does nothing twice,
and the rules of a single report hold for each item."""

from __future__ import annotations

import asyncpg

from tests.integration.metrics.conftest import Metrics
from tests.integration.metrics.test_values_http import DISTRICT_CENTRE, _structure

CODE = "citizens.bank_account_15plus"


def value(unit: str, period: str, number: float, **extra: str) -> dict[str, object]:
    return {"indicator_code": CODE, "unit_code": unit, "period": period, "value": number, **extra}


async def test_each_value_is_its_own_report_and_a_retry_does_nothing_twice(metrics: Metrics) -> None:
    await _structure(metrics)
    await metrics.caught_up()
    # Sent alone before, through the single command, with the key a batch item gets.
    alone = value("01867", "2021", 20.0)
    response = await metrics.client.post(
        "/commands/values/report",
        json=alone,
        headers={"idempotency-key": "bulk:value:earlier"},
        auth=metrics.auth(DISTRICT_CENTRE),
    )
    assert response.status_code == 201, response.text
    items = [
        value("01864", "2022", 40.0),
        value("01900", "2022", 10.0),  # outside the district centre's unit
        value("01864", "2023", 150.0),  # not a percentage
        {**alone, "key": "earlier"},
        value("01864", "2022", 45.0, comment="corrected"),  # after item 0: the same lane, in order
    ]
    first = await metrics.command("batches/indicator-values", {"items": items}, 200, DISTRICT_CENTRE)
    assert [(i["status"], i.get("code")) for i in first["items"]] == [
        ("accepted", None),
        ("rejected", "outside_own_unit"),
        ("rejected", "value_out_of_range"),
        ("duplicate", None),
        ("accepted", None),
    ]
    await metrics.caught_up()
    assert (await metrics.value(CODE, "01864", "2022"))["value"] == 45.0

    events = "SELECT count(*) FROM metrics.events WHERE type LIKE 'metrics.indicator_value_%'"
    conn = await asyncpg.connect(metrics.database_url)
    try:
        before = await conn.fetchval(events)
        again = await metrics.command("batches/indicator-values", {"items": items}, 200, DISTRICT_CENTRE)
        assert await conn.fetchval(events) == before
    finally:
        await conn.close()
    assert [i["status"] for i in again["items"]] == ["duplicate", "rejected", "rejected", "duplicate", "duplicate"]
    assert [i.get("ids") for i in again["items"]] == [i.get("ids") for i in first["items"]]
