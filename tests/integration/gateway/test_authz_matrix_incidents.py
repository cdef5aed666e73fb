"""The incidents table of the authorization matrix (``authz-matrix-incidents`` in
docs/services/gateway-security.md), cell by cell, through /graphql (``authz_support``).

Each column handles an incident of its own: one per cluster of VNPT's station in Bành Trạch, all
gone silent at once (``incidents_support``), so an allowed cell succeeds on its own merits and a resolved incident in
one column refuses nothing in another."""

from __future__ import annotations

import datetime

from tests.integration.gateway.api_fixtures import REGISTER_CLUSTER
from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import (
    BANH_TRACH,
    CALLERS,
    Cell,
    Targets,
    build_targets,
    check_table,
    matrix_platform,
)
from tests.integration.gateway.incidents_support import silent_incidents

__all__ = ["matrix_platform"]

ROW = "incident"
MUTATION = "mutation($input: {0}Input!) {{ {1}(input: $input) {{ id acknowledgedAt }} }}"


def _incident(t: Targets, i: int) -> str:
    return t.per_caller[ROW][i]


CELLS: dict[str, Cell] = {
    "acknowledgeIncident (one at VNPT's station in Bành Trạch)": lambda i, t: (
        MUTATION.format("AcknowledgeIncident", "acknowledgeIncident"),
        {"input": {"incidentId": _incident(t, i), "note": "Đang kiểm tra"}},
    ),
    "assignIncident (to Bành Trạch)": lambda i, t: (
        MUTATION.format("AssignIncident", "assignIncident"),
        {"input": {"incidentId": _incident(t, i), "assigneeKind": "UNIT", "assigneeCode": BANH_TRACH}},
    ),
    "assignIncident (to a Pác Nặm commune)": lambda i, t: (
        MUTATION.format("AssignIncident", "assignIncident"),
        {"input": {"incidentId": _incident(t, i), "assigneeKind": "UNIT", "assigneeCode": "06200"}},
    ),
    "addIncidentNote (one at VNPT's station in Bành Trạch)": lambda i, t: (
        MUTATION.format("AddIncidentNote", "addIncidentNote"),
        {"input": {"incidentId": _incident(t, i), "note": f"Ghi chú {i}"}},
    ),
    "resolveIncident (one at VNPT's station in Bành Trạch)": lambda i, t: (
        MUTATION.format("ResolveIncident", "resolveIncident"),
        {"input": {"incidentId": _incident(t, i), "cause": "POWER_OUTAGE"}},
    ),
    "incidentMttr (Ba Bể's, by assignee)": lambda i, t: (
        f'{{ incidentMttr(unitCode: "061", period: "{datetime.date.today().year}", by: ASSIGNEE) '
        "{ unitCode by groups { key resolved mttrSeconds } } }",
        {},
    ),
}


async def build_area_targets(platform: Platform, targets: Targets) -> None:
    """Per column a cluster of VNPT's station gone silent, and its incident opened."""
    columns = range(len(CALLERS))
    clusters = []
    for i in columns:
        cluster = {"stationId": targets.station, "villageCode": f"{BANH_TRACH}-B{i}", "installedOn": "2021-02-01"}
        clusters.append((await platform.data(REGISTER_CLUSTER, {"input": cluster}))["registerSpeakerCluster"]["id"])
    incidents = await silent_incidents(platform, clusters, BANH_TRACH)
    targets.per_caller[ROW] = {i: incidents[clusters[i]] for i in columns}


# --- what a mutation's result shows a writer without ``read`` (test_authz_matrix.py) ---------

NESTED: dict[str, dict[str, str]] = {
    "SignalIncident": {"cluster": "cluster { id }", "station": "station { id }"},
}
"""Every field of a result type that reaches past the written row: each needs ``read``."""

DIRECT = {"SignalIncident": "id openedAt acknowledgedAt assigneeKind assigneeCode resolutionCause"}

OWN = {("SignalIncident", "notes")}
"""An incident's notes are the incident's own, shown to its writer."""


async def test_every_incident_operation_is_allowed_or_refused_as_the_matrix_specifies(
    matrix_platform: Platform,
) -> None:
    targets = await build_targets(matrix_platform)
    await build_area_targets(matrix_platform, targets)
    await check_table(matrix_platform, "authz-matrix-incidents", CELLS, targets)
