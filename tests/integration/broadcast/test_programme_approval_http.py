"""Content approval and priority through the broadcast service's HTTP API (ADR 0052): a district
centre's writer records a draft, which is sent nowhere until submitted and approved by an
approver of its district (or the province's); every step with who and when, in the read model;
deliveries carry the programme's priority and the summary counts by priority."""

from __future__ import annotations

import datetime
from typing import Any

from libs.common.principal import Principal
from tests.integration.broadcast.conftest import Platform, Province
from tests.integration.broadcast.test_programmes_http import BA_BE_CENTRE, at, programme

BA_BE_HEAD = Principal(subject="ba-be-head", scopes=frozenset({"broadcast:approve", "read"}), unit_code="061")
PAC_NAM_HEAD = Principal(subject="pac-nam-head", scopes=frozenset({"broadcast:approve", "read"}), unit_code="062")
DEPARTMENT = Principal(subject="department", scopes=frozenset({"broadcast:approve", "broadcast:write", "read"}))


async def _view(platform: Platform, programme_id: str) -> dict[str, Any]:
    await platform.caught_up()
    [view] = await platform.query("programmes", {"programme_ids": [programme_id]})
    result: dict[str, Any] = view
    return result


async def test_a_draft_is_sent_only_once_an_approver_of_its_district_approved_it(
    platform: Platform, province: Province
) -> None:
    body = {**programme(1), "priority": "emergency"}
    [programme_id] = (await platform.command("programmes/record", body, principal=BA_BE_CENTRE))["ids"]
    station = province.stations["00001"]
    send = {"station_ids": [station], "due_at": at(2)}
    draft = await platform.command(f"programmes/{programme_id}/send", send, principal=BA_BE_CENTRE, expect=409)
    assert draft["code"] == "programme_not_approved"
    early = await platform.command(f"programmes/{programme_id}/approve", {}, principal=BA_BE_HEAD, expect=409)
    assert early["code"] == "not_submitted"

    await platform.command(f"programmes/{programme_id}/submit", {"note": "bão số 3"}, principal=BA_BE_CENTRE)
    writer = await platform.command(f"programmes/{programme_id}/approve", {}, principal=BA_BE_CENTRE, expect=403)
    assert writer["code"] == "forbidden"
    neighbour = await platform.command(f"programmes/{programme_id}/approve", {}, principal=PAC_NAM_HEAD, expect=403)
    assert neighbour["code"] == "not_allowed_to_approve"
    await platform.command(f"programmes/{programme_id}/approve", {"note": "đồng ý"}, principal=BA_BE_HEAD)
    twice = await platform.command(
        f"programmes/{programme_id}/reject", {"reason": "x"}, principal=BA_BE_HEAD, expect=409
    )
    assert twice["code"] == "already_decided"
    await platform.command(f"programmes/{programme_id}/send", send, principal=BA_BE_CENTRE)
    await platform.command(f"deliveries/{programme_id}/{station}/receive", {}, principal=BA_BE_CENTRE)
    await platform.command(f"deliveries/{programme_id}/{station}/air", {}, principal=BA_BE_CENTRE)

    view = await _view(platform, programme_id)
    assert (view["priority"], view["approval"]) == ("emergency", "distributed")
    assert [(s["step"], s["by"], s["note"]) for s in view["approval_history"]] == [
        ("submitted", "ba-be-centre", "bão số 3"),
        ("approved", "ba-be-head", "đồng ý"),
        ("distributed", "ba-be-centre", None),
    ]
    assert all(datetime.datetime.fromisoformat(s["at"]) for s in view["approval_history"])
    [entry] = await platform.query("deliveries", {"programme_ids": [programme_id]})
    assert [(d["status"], d["priority"]) for d in entry["deliveries"]] == [("aired", "emergency")]
    summary = await platform.get("/programmes/summary", unit_code="061", period="2022")
    assert {
        p["priority"]: (p["programmes"], p["news_items"], p["deliveries"], p["aired"]) for p in summary["by_priority"]
    } == {
        "normal": (0, 0, 0, 0),
        "priority": (0, 0, 0, 0),
        "emergency": (1, 2, 1, 1),
    }


async def test_rejected_content_is_corrected_and_submitted_again_and_the_province_approves_any(
    platform: Platform, province: Province
) -> None:
    [programme_id] = (await platform.command("programmes/record", programme(2), principal=BA_BE_CENTRE))["ids"]
    await platform.command(f"programmes/{programme_id}/submit", {}, principal=BA_BE_CENTRE)
    no_reason = await platform.command(
        f"programmes/{programme_id}/reject", {"reason": " "}, principal=BA_BE_HEAD, expect=400
    )
    assert no_reason["code"] == "missing_field"
    await platform.command(f"programmes/{programme_id}/reject", {"reason": "sai số liệu"}, principal=BA_BE_HEAD)
    rejected = await platform.command(
        f"programmes/{programme_id}/send", {"station_ids": [province.stations["00002"]], "due_at": at(2)},
        principal=BA_BE_CENTRE, expect=409,
    )  # fmt: skip
    assert rejected["code"] == "programme_rejected"
    await platform.command(
        f"programmes/{programme_id}/correct", {"reason": "sửa", "title": "Đã sửa"}, principal=BA_BE_CENTRE
    )
    await platform.command(f"programmes/{programme_id}/submit", {}, principal=BA_BE_CENTRE)
    await platform.command(f"programmes/{programme_id}/approve", {}, principal=DEPARTMENT)

    view = await _view(platform, programme_id)
    assert view["approval"] == "approved"
    assert [(s["step"], s["by"]) for s in view["approval_history"]] == [
        ("submitted", "ba-be-centre"), ("rejected", "ba-be-head"), ("submitted", "ba-be-centre"),
        ("approved", "department"),
    ]  # fmt: skip
    assert view["approval_history"][1]["note"] == "sai số liệu"


async def test_an_approver_records_approved_content_unless_it_asks_for_a_draft(
    platform: Platform, province: Province
) -> None:
    [approved] = (await platform.command("programmes/record", programme(3), principal=DEPARTMENT))["ids"]
    [draft] = (await platform.command("programmes/record", {**programme(4), "draft": True}, principal=DEPARTMENT))[
        "ids"
    ]
    await platform.command(
        f"programmes/{approved}/send", {"station_ids": [province.stations["00002"]], "due_at": at(1)}
    )
    assert (await _view(platform, approved))["approval"] == "distributed"
    assert (await _view(platform, draft))["approval"] == "draft"


async def test_an_approval_retried_with_its_idempotency_key_is_answered_again(
    platform: Platform, province: Province
) -> None:
    [programme_id] = (await platform.command("programmes/record", programme(5), principal=BA_BE_CENTRE))["ids"]
    await platform.command(f"programmes/{programme_id}/submit", {}, principal=BA_BE_CENTRE)
    path = f"/commands/programmes/{programme_id}/approve"
    headers = {"idempotency-key": "approve-5"}
    first = await platform.broadcast.post(path, json={}, headers=headers, auth=platform.auth(BA_BE_HEAD))
    again = await platform.broadcast.post(path, json={}, headers=headers, auth=platform.auth(BA_BE_HEAD))
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json()["ids"] == first.json()["ids"]
    view = await _view(platform, programme_id)
    assert [s["step"] for s in view["approval_history"]] == ["submitted", "approved"]
