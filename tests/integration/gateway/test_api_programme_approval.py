"""Content approval and priority through the gateway only (ADR 0052): Ba Bể's centre records an
emergency bulletin as a draft, which no station gets until it is submitted and its head approves
it (Pác Nặm's head may not); sent, every delivery carries EMERGENCY, and the district's summary
counts it by priority, in GraphQL and REST; the approval is on the live feed. Rejected content
is corrected and submitted again."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

from libs.common.db import create_pool
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from tests.integration.gateway.api_fixtures import build_province, register_unit
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.broadcast_support import stations_known_to_broadcast
from tests.integration.gateway.test_subscriptions_live import first, subscribed, subscriber

__all__ = ["platform"]

PARTNERS = {
    "writer": Partner(name="ba-be-staff", scopes=frozenset({"read", "broadcast:write"}), unit_code="061"),
    "head": Partner(name="ba-be-head", scopes=frozenset({"read", "broadcast:approve"}), unit_code="061"),
    "neighbour": Partner(name="pac-nam-head", scopes=frozenset({"read", "broadcast:approve"}), unit_code="062"),
}
RECORD = "mutation($i: RecordProgrammeInput!) { recordProgramme(input: $i) { id priority approval } }"
STEP = """mutation($i: {kind}ProgrammeInput!) {{ {name}Programme(input: $i) {{
  id approval approvalHistory {{ step by note at }} }} }}"""
SEND = """mutation($i: SendProgrammeInput!) {
  sendProgramme(input: $i) { approval deliveries { priority status } } }"""
APPROVED = """subscription {
  events(types: ["broadcast.programme_approved"], unitCode: "061") { type unitCode data }
}"""
SUMMARY = """{ programmeSummary(unitCode: "061", period: "2026") {
  programmes byPriority { priority programmes newsItems deliveries aired } } }"""


async def _keys(platform: Platform) -> None:
    pool = await create_pool(platform.settings.database_url, service="test", max_size=1)
    try:
        for who, partner in PARTNERS.items():
            platform.keys[who] = await PartnerStore(pool).create(partner)
    finally:
        await pool.close()


async def test_an_emergency_bulletin_airs_only_once_the_districts_head_approved_it(platform: Platform) -> None:
    province = await build_province(platform, communes=1, villages=1)
    await register_unit(platform, "062", "Huyện Pác Nặm", "DISTRICT", "06")
    await _keys(platform)
    await stations_known_to_broadcast(platform, province)
    [station] = province.stations.values()
    bulletin = {"title": "Bão số 3", "producerCode": "061", "airDate": "2026-09-06", "newsItems": 2, "articles": 0,
                "durationSeconds": 300, "priority": "EMERGENCY"}  # fmt: skip
    recorded = (await platform.data(RECORD, {"i": bulletin}, who="writer"))["recordProgramme"]
    assert (recorded["priority"], recorded["approval"]) == ("EMERGENCY", "DRAFT")
    programme_id = recorded["id"]
    due = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=2)).isoformat()
    send = {"programmeId": programme_id, "stationIds": [station], "dueAt": due}
    draft = await platform.error(SEND, {"i": send}, who="writer")
    assert draft["extensions"]["code"] == "PROGRAMME_NOT_APPROVED"

    submit = STEP.format(kind="Submit", name="submit")
    approve = STEP.format(kind="Approve", name="approve")
    submitted = await platform.data(submit, {"i": {"programmeId": programme_id, "note": "Khẩn"}}, who="writer")
    assert submitted["submitProgramme"]["approval"] == "SUBMITTED"
    neighbour = await platform.error(approve, {"i": {"programmeId": programme_id}}, who="neighbour")
    assert neighbour["extensions"]["code"] == "NOT_ALLOWED_TO_APPROVE"
    writer = await platform.error(approve, {"i": {"programmeId": programme_id}}, who="writer")
    assert writer["extensions"]["code"] == "FORBIDDEN"
    async with subscriber(platform) as session:
        live = asyncio.create_task(first(session, APPROVED, {}))
        await subscribed(platform, 1)
        approved = (await platform.data(approve, {"i": {"programmeId": programme_id}}, who="head"))["approveProgramme"]
        event = (await asyncio.wait_for(live, 10))["events"]
    assert (event["unitCode"], event["data"]["approved_by"]) == ("061", "partner:ba-be-head")
    assert [(s["step"], s["by"], s["note"]) for s in approved["approvalHistory"]] == [
        ("SUBMITTED", "partner:ba-be-staff", "Khẩn"), ("APPROVED", "partner:ba-be-head", None),
    ]  # fmt: skip
    assert all(datetime.datetime.fromisoformat(s["at"]) for s in approved["approvalHistory"])

    sent = (await platform.data(SEND, {"i": send}, who="writer"))["sendProgramme"]
    assert sent["deliveries"] == [{"priority": "EMERGENCY", "status": "sent"}]

    async def counted() -> dict[str, Any] | None:
        summary = (await platform.data(SUMMARY))["programmeSummary"]
        return summary if summary["byPriority"][2]["deliveries"] == 1 else None

    summary = await platform.eventually(counted)
    assert summary["byPriority"] == [
        {"priority": "NORMAL", "programmes": 0, "newsItems": 0, "deliveries": 0, "aired": 0},
        {"priority": "PRIORITY", "programmes": 0, "newsItems": 0, "deliveries": 0, "aired": 0},
        {"priority": "EMERGENCY", "programmes": 1, "newsItems": 2, "deliveries": 1, "aired": 0},
    ]
    rest = await platform.http.get(
        "/api/v1/programmes/summary", params={"unit_code": "061", "period": "2026"}, headers=platform.auth("head")
    )
    assert rest.status_code == 200, rest.text
    assert [(p["priority"], p["deliveries"]) for p in rest.json()["by_priority"]] == [
        ("normal", 0), ("priority", 0), ("emergency", 1),
    ]  # fmt: skip


async def test_rest_records_a_draft_and_its_rejected_content_is_corrected_and_approved(platform: Platform) -> None:
    province = await build_province(platform, communes=1, villages=1)
    await _keys(platform)
    await stations_known_to_broadcast(platform, province)

    async def post(path: str, body: dict[str, Any], who: str, status: int = 201) -> dict[str, Any]:
        response = await platform.http.post(f"/api/v1/programmes{path}", json=body, headers=platform.auth(who))
        assert response.status_code == status, f"{path}: {response.text}"
        answer: dict[str, Any] = response.json()
        return answer

    body = {"unit_code": "061", "title": "Tin nông vụ", "air_date": "2026-10-01", "duration_seconds": 600,
            "news_items": 1, "articles": 0, "priority": "priority",
            "items": [{"kind": "news", "title": "Phòng dịch", "priority": "emergency"}]}  # fmt: skip
    [programme_id] = (await post("/record", body, "writer"))["ids"]
    early = await post(f"/{programme_id}/approve", {}, "head", status=409)
    assert early["code"] == "not_submitted"
    await post(f"/{programme_id}/submit", {}, "writer")
    await post(f"/{programme_id}/reject", {"reason": "Thiếu nguồn tin"}, "head")
    again = await post(f"/{programme_id}/reject", {"reason": "x"}, "head", status=409)
    assert again["code"] == "already_decided"
    await post(f"/{programme_id}/correct", {"reason": "Thêm nguồn", "title": "Tin nông vụ (có nguồn)"}, "writer")
    await post(f"/{programme_id}/submit", {}, "writer")
    await post(f"/{programme_id}/approve", {"note": "Được"}, "head")

    async def listed() -> dict[str, Any] | None:
        response = await platform.http.get(
            "/api/v1/programmes", params={"producer_code": "061"}, headers=platform.auth("writer")
        )
        [view] = response.json()["programmes"]
        return view if view["approval"] == "approved" else None

    view = await platform.eventually(listed)
    assert view["priority"] == "priority"
    assert [(s["step"], s["note"]) for s in view["approval_history"]] == [
        ("submitted", None), ("rejected", "Thiếu nguồn tin"), ("submitted", None), ("approved", "Được"),
    ]  # fmt: skip

    async def counted() -> dict[str, Any] | None:
        summary = (await platform.data(SUMMARY))["programmeSummary"]
        return summary if summary["programmes"] == 1 else None

    by_priority = (await platform.eventually(counted))["byPriority"]
    # The item is raised above its programme: its news counts as emergency, the programme as priority.
    assert [(p["priority"], p["programmes"], p["newsItems"]) for p in by_priority] == [
        ("NORMAL", 0, 0), ("PRIORITY", 1, 0), ("EMERGENCY", 0, 1),
    ]  # fmt: skip
