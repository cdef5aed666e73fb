"""Incidents handled through the gateway only (issue #22, "Done when"): a silent cluster's
incident acknowledged by Ba Bể's district centre and assigned to the cluster's commune, which
annotates it and resolves it with a cause, each through /graphql as its own partner; read back
through GraphQL and REST with who and when, its steps on the live feed, MTTR by cause and by
assignee; and the REST routes' retries and coded refusals. The one thing not done through the
gateway is the silence threshold (a second), which the contract does not expose."""

from __future__ import annotations

import asyncio
import datetime
from typing import Any

from libs.common.db import create_pool
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner
from tests.integration.gateway.api_fixtures import build_province
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.broadcast_support import stations_known_to_broadcast
from tests.integration.gateway.incidents_support import silent_incidents
from tests.integration.gateway.test_subscriptions_live import first, subscribed, subscriber

__all__ = ["platform"]

WRITE = frozenset({"read", "broadcast:write"})


async def add_keys(platform: Platform, units: dict[str, str]) -> None:
    """A partner bound to each unit (a district centre, a commune), its key under the name given."""
    pool = await create_pool(platform.settings.database_url, service="test", max_size=1)
    try:
        for who, unit_code in units.items():
            partner = Partner(name=f"incidents-{unit_code}", scopes=WRITE, unit_code=unit_code)
            platform.keys[who] = await PartnerStore(pool).create(partner)
    finally:
        await pool.close()


FIELDS = """id cause acknowledgedAt acknowledgedBy assigneeKind assigneeCode resolvedAt resolvedBy resolutionCause
            notes { note notedBy } cluster { id }"""
ACK = f"mutation($i: AcknowledgeIncidentInput!) {{ acknowledgeIncident(input: $i) {{ {FIELDS} }} }}"
ASSIGN = f"mutation($i: AssignIncidentInput!) {{ assignIncident(input: $i) {{ {FIELDS} }} }}"
NOTE = f"mutation($i: AddIncidentNoteInput!) {{ addIncidentNote(input: $i) {{ {FIELDS} }} }}"
RESOLVE = f"mutation($i: ResolveIncidentInput!) {{ resolveIncident(input: $i) {{ {FIELDS} }} }}"
RESOLVED = f'{{ signalIncidents(unitCode: "061", status: RESOLVED) {{ totalCount edges {{ node {{ {FIELDS} }} }} }} }}'
STEPS = """subscription {
  events(types: ["broadcast.incident_assigned", "broadcast.incident_resolved"], unitCode: "061") { type unitCode data }
}"""


async def test_a_silent_clusters_incident_is_assigned_to_its_commune_and_resolved_read_back_through_graphql_and_rest(
    platform: Platform,
) -> None:
    province = await build_province(platform, communes=1, villages=1)
    await stations_known_to_broadcast(platform, province)
    commune = province.communes[0]
    await add_keys(platform, {"centre": "061", "commune": commune})
    [cluster] = province.clusters[commune]
    incident_id = (await silent_incidents(platform, [cluster], commune))[cluster]

    ack = {"incidentId": incident_id, "note": "Đã nhận"}
    acknowledged = await platform.data(ACK, {"i": ack}, who="centre")
    assert acknowledged["acknowledgeIncident"]["cause"] == "SILENT"
    assert acknowledged["acknowledgeIncident"]["acknowledgedAt"] is not None
    async with subscriber(platform) as session:
        step = asyncio.create_task(first(session, STEPS, {}))
        await subscribed(platform, 1)
        assign = {"incidentId": incident_id, "assigneeKind": "UNIT", "assigneeCode": commune}
        assigned = (await platform.data(ASSIGN, {"i": assign}, who="centre"))["assignIncident"]
        event = (await asyncio.wait_for(step, 10))["events"]
    assert (assigned["assigneeKind"], assigned["assigneeCode"]) == ("UNIT", commune)
    assert event["type"] == "broadcast.incident_assigned"
    assert (event["unitCode"], event["data"]["assignee_code"]) == (commune, commune)

    note = {"incidentId": incident_id, "note": "Mất điện lưới"}
    noted = (await platform.data(NOTE, {"i": note}, who="commune"))["addIncidentNote"]
    assert [n["note"] for n in noted["notes"]] == ["Đã nhận", "Mất điện lưới"]
    resolve = {"incidentId": incident_id, "cause": "POWER_OUTAGE", "note": "Có điện lại"}
    resolved = (await platform.data(RESOLVE, {"i": resolve}, who="commune"))["resolveIncident"]
    assert resolved["resolutionCause"] == "POWER_OUTAGE"
    assert (resolved["acknowledgedBy"], resolved["resolvedBy"]) == (
        "partner:incidents-061",
        f"partner:incidents-{commune}",
    )
    assert [n["notedBy"] for n in resolved["notes"]] == [resolved["acknowledgedBy"], resolved["resolvedBy"]]
    listed = (await platform.data(RESOLVED))["signalIncidents"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"] == resolved
    again = await platform.graphql(RESOLVE, {"i": resolve}, who="commune")
    assert again["errors"][0]["extensions"]["code"] == "INCIDENT_ALREADY_RESOLVED"

    raw = incident_id.split(":", 1)[1]
    one = await platform.http.get(f"/api/v1/incidents/{raw}", headers=platform.auth("reader"))
    assert one.status_code == 200, one.text
    view: dict[str, Any] = one.json()
    assert (view["assignee_kind"], view["assignee_code"], view["resolution_cause"]) == ("unit", commune, "power_outage")
    assert view["resolved_at"] >= view["assigned_at"] >= view["acknowledged_at"]
    page = await platform.http.get(
        "/api/v1/signal/incidents", params={"unit_code": "061", "status": "resolved"}, headers=platform.auth("reader")
    )
    assert [i["incident_id"] for i in page.json()["incidents"]] == [raw]
    year = str(datetime.date.today().year)
    mttr = await platform.http.get(
        "/api/v1/incidents/mttr", params={"unit_code": "061", "period": year, "by": "cause"}, headers=platform.auth()
    )
    [group] = mttr.json()["groups"]
    assert (group["key"], group["resolved"]) == ("power_outage", 1)
    graphql_mttr = await platform.data(
        f'{{ incidentMttr(unitCode: "061", period: "{year}", by: ASSIGNEE) {{ by groups {{ key resolved }} }} }}'
    )
    assert graphql_mttr["incidentMttr"] == {"by": "ASSIGNEE", "groups": [{"key": f"unit:{commune}", "resolved": 1}]}


async def test_rest_handles_an_incident_once_per_key_and_passes_refusals_on(platform: Platform) -> None:
    province = await build_province(platform, communes=1, villages=1)
    await stations_known_to_broadcast(platform, province)
    commune = province.communes[0]
    [cluster] = province.clusters[commune]
    raw = (await silent_incidents(platform, [cluster], commune))[cluster].split(":", 1)[1]
    path = f"/api/v1/incidents/{raw}"
    headers = {**platform.auth(), "idempotency-key": f"note-{raw}"}
    note = {"note": "Kiểm tra cột loa"}
    first_note = await platform.http.post(f"{path}/notes", json=note, headers=headers)
    again = await platform.http.post(f"{path}/notes", json=note, headers=headers)
    assert (first_note.status_code, again.status_code) == (201, 201), first_note.text
    assert again.json() == {**first_note.json(), "replayed": True}

    async def noted() -> list[Any] | None:
        notes: list[Any] = (await platform.http.get(path, headers=platform.auth())).json()["notes"]
        return notes or None

    assert [n["note"] for n in await platform.eventually(noted)] == ["Kiểm tra cột loa"]

    for route, body, status, code in (
        ("/api/v1/incidents/no-such-incident/acknowledge", {}, 404, "unknown_incident"),
        (f"{path}/assign", {"assignee_kind": "operator", "assignee_code": "NOBODY"}, 404, "unknown_assignee"),
        (f"{path}/resolve", {"cause": "gremlins"}, 400, None),
        (f"{path}/notes", {"note": "   "}, 400, "missing_field"),
    ):
        refused = await platform.http.post(route, json=body, headers=platform.auth())
        assert refused.status_code == status, f"{route}: {refused.text}"
        if code:
            assert refused.json()["code"] == code
    reader = await platform.http.post(f"{path}/acknowledge", json={}, headers=platform.auth("reader"))
    assert (reader.status_code, reader.json()["code"]) == (403, "forbidden")
    missing = await platform.http.get("/api/v1/incidents/no-such-incident", headers=platform.auth("reader"))
    assert (missing.status_code, missing.json()["code"]) == (404, "unknown_incident")
