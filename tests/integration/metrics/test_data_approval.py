"""Data approval through the metrics service (issue #22, ADR 0055): a commune's telecom values
for a quarter submitted, approved by its district, approved by the province and locked; a
locked value refuses reports and corrections, also when they race the lock and after a restart;
the approval reopened with a reason takes them again."""

from __future__ import annotations

import asyncio
import datetime
import threading
from typing import Any

from contracts.metrics_events import DataApproved, DataLocked
from libs.common.db import connect
from libs.common.eventstore.store import EventStore
from libs.common.principal import Principal
from services.metrics.adapters.approvals import hold_for_step
from services.metrics.app import create_app as create_metrics
from services.metrics.domain.approval import APPROVAL
from tests.integration.metrics.conftest import Metrics
from tests.integration.metrics.test_values_http import _structure
from tests.support.principals import service_client

WRITE = frozenset({"metrics:write", "read"})
COMMUNE = Principal(subject="commune:01864", partner="UBND-01864", scopes=WRITE, unit_code="01864")
OTHER_COMMUNE = Principal(subject="commune:01867", partner="UBND-01867", scopes=WRITE, unit_code="01867")
DISTRICT = Principal(subject="district:061", partner="TTVH-061", scopes=WRITE, unit_code="061")
OTHER_DISTRICT = Principal(subject="district:062", partner="TTVH-062", scopes=WRITE, unit_code="062")
PROVINCE = Principal(subject="province:stats", partner="SO-TT", scopes=WRITE)
OPERATOR = Principal(subject="partner:vnpt", partner="VNPT", scopes=WRITE, organisation="VNPT")
PERIOD = "2025Q1"
WAITING = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
KEY = {"indicator_set": "telecom", "unit_code": "01864", "period": PERIOD}
FIBRE = {"indicator_code": "telecom.fibre_km", "unit_code": "01864", "period": PERIOD}


async def _refused(metrics: Metrics, path: str, body: dict[str, Any], principal: Principal, status: int) -> str:
    refused = await metrics.command(path, body, expect=status, principal=principal)
    return str(refused["code"])


async def test_a_quarter_is_submitted_approved_twice_locked_and_reopened(metrics: Metrics) -> None:
    await _structure(metrics)
    await metrics.caught_up()
    await metrics.command("values/report", {**FIBRE, "value": 12.5}, principal=COMMUNE)

    assert await _refused(metrics, "approvals/submit", KEY, OTHER_COMMUNE, 403) == "outside_own_unit"
    assert await _refused(metrics, "approvals/submit", KEY, OPERATOR, 403) == "approval_step_not_yours"
    assert await _refused(metrics, "approvals/approve", {**KEY, "level": "district"}, DISTRICT, 409) == (
        "approval_out_of_order"
    )
    await metrics.command("approvals/submit", KEY, principal=COMMUNE)
    assert await _refused(metrics, "approvals/approve", {**KEY, "level": "district"}, COMMUNE, 403) == (
        "approval_step_not_yours"
    )
    assert await _refused(metrics, "approvals/approve", {**KEY, "level": "district"}, OTHER_DISTRICT, 403) == (
        "outside_own_unit"
    )
    assert await _refused(metrics, "approvals/approve", {**KEY, "level": "province"}, PROVINCE, 409) == (
        "approval_out_of_order"
    )
    await metrics.command("approvals/approve", {**KEY, "level": "district"}, principal=DISTRICT)
    assert await _refused(metrics, "approvals/approve", {**KEY, "level": "province"}, DISTRICT, 403) == (
        "approval_step_not_yours"
    )
    await metrics.command("approvals/approve", {**KEY, "level": "province"}, principal=PROVINCE)

    # Locked: a correction (and a report of another value of the set) is refused with a code.
    refused = await metrics.command("values/report", {**FIBRE, "value": 13}, expect=409, principal=COMMUNE)
    assert (refused["code"], refused["details"]["indicator_set"]) == ("data_locked", "telecom")
    bts = {**FIBRE, "indicator_code": "telecom.bts_all_operators", "value": 4}
    assert (await metrics.command("values/report", bts, expect=409))["code"] == "data_locked"
    # Another set of the same unit and period, and the same set of another commune, are open.
    await metrics.command("values/report", {**FIBRE, "indicator_code": "egov.email_accounts", "value": 3})
    await metrics.command("values/report", {**FIBRE, "unit_code": "01867", "value": 2})

    one = await metrics.get("/approvals/one", indicator_set="telecom", unit_code="01864", period=PERIOD)
    assert one["status"] == "locked"
    assert [(s["step"], s["by"]) for s in one["steps"]] == [
        ("submitted", "commune:01864"),
        ("district_approved", "district:061"),
        ("province_approved", "province:stats"),
        ("locked", None),
    ]
    listed = await metrics.get("/approvals", indicator_set="telecom", period=PERIOD, parent_code="061")
    assert {a["unit_code"]: a["status"] for a in listed} == {"01864": "locked", "01867": "open"}
    assert (await metrics.get("/approvals/one", expect=404, **{**KEY, "indicator_set": "nope"}))["code"] == (
        "unknown_indicator_set"
    )

    # A restarted service reads the lock from the store.
    async with service_client(create_metrics(metrics.settings), metrics.settings, COMMUNE) as restarted:
        again = await restarted.post("/commands/values/report", json={**FIBRE, "value": 14})
        assert (again.status_code, again.json()["code"]) == (409, "data_locked")

    # Reopened by the level that approved last (the province), with a reason.
    reopen = {**KEY, "reason": "Số liệu cáp quang quý I nhập sai"}
    assert await _refused(metrics, "approvals/reopen", reopen, DISTRICT, 403) == "approval_step_not_yours"
    assert await _refused(metrics, "approvals/reopen", {**reopen, "reason": " "}, PROVINCE, 400) == "invalid_reason"
    await metrics.command("approvals/reopen", reopen, principal=PROVINCE)
    await metrics.command("values/report", {**FIBRE, "value": 13}, principal=COMMUNE)
    reopened = await metrics.get("/approvals/one", indicator_set="telecom", unit_code="01864", period=PERIOD)
    assert reopened["status"] == "open"
    assert reopened["steps"][-1] == {
        "step": "reopened",
        "by": "province:stats",
        "at": reopened["steps"][-1]["at"],
        "reason": "Số liệu cáp quang quý I nhập sai",
    }
    assert (await metrics.value("telecom.fibre_km", "01864", PERIOD))["value"] in (12.5, 13.0)  # projection lag


async def test_a_report_racing_the_lock_waits_for_it_and_is_refused(metrics: Metrics) -> None:
    """Failed before reports read the approval under its lock (``adapters.approvals``): a report
    that read the approval while the province's approval was appending the lock committed after
    it (201), a correction of a locked value."""
    await _structure(metrics)
    await metrics.caught_up()
    [stream] = (await metrics.command("approvals/submit", KEY))["ids"]
    await metrics.command("approvals/approve", {**KEY, "level": "district"})
    unit_id = stream.split(":")[2]
    ids = {"indicator_set": "telecom", "unit_id": unit_id, "unit_code": "01864", "period": PERIOD}
    now = datetime.datetime.now(datetime.UTC)

    events = [
        DataApproved(**ids, level="province", approved_by="province", approved_at=now),
        DataLocked(**ids, locked_at=now),
    ]
    held = threading.Event()

    async def approving() -> None:
        """The province's approval, as a step runs it: the approval's lock first, then the
        append, once the report waits for the lock."""
        conn = await connect(metrics.database_url, service="test")
        try:
            async with conn.transaction(), asyncio.timeout(20):
                await hold_for_step(conn, stream)
                held.set()
                while not await conn.fetchval(WAITING):  # noqa: ASYNC110 - polling the database
                    await asyncio.sleep(0.02)
                await EventStore("metrics").append(conn, stream, APPROVAL.stream_type, 2, events)
        finally:
            await conn.close()

    # Its own thread and loop: the test client answers a request on the test's loop only when
    # the request is done, and the report is to wait for the approval.
    approval = threading.Thread(target=asyncio.run, args=(approving(),))
    approval.start()
    assert await asyncio.to_thread(held.wait, 20)
    response = await metrics.client.post("/commands/values/report", json={**FIBRE, "value": 9})
    await asyncio.to_thread(approval.join, 25)
    assert (response.status_code, response.json()["code"]) == (409, "data_locked")
