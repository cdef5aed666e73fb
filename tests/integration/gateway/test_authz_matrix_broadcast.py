"""Broadcast's table of the authorization matrix (``authz-matrix-broadcast`` in
docs/services/gateway-security.md), cell by cell, through /graphql (``authz_support``)."""

from __future__ import annotations

from typing import Any

from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import Cell, build_targets, check_table, matrix_platform

__all__ = ["matrix_platform"]

SIGNAL = "mutation($input: ReportClusterSignalInput!) { reportClusterSignal(input: $input) { id } }"
PROGRAMME = "mutation($input: RecordProgrammeInput!) { recordProgramme(input: $input) { id } }"
RELAY = "mutation($input: RecordRelayInput!) { recordRelay(input: $input) { id } }"


def _programme(i: int, producer: str) -> dict[str, Any]:
    return {
        "title": f"Bản tin thời sự {producer}-{i}",
        "producerCode": producer,
        "airDate": "2023-03-01",
        "newsItems": 3,
        "articles": 1,
        "durationSeconds": 900,
    }


CELLS: dict[str, Cell] = {
    "programmes (Ba Bể's)": lambda i, t: ('{ programmes(producerCode: "061") { totalCount } }', {}),
    "reportClusterSignal (VNPT's cluster)": lambda i, t: (
        SIGNAL,
        {"input": {"clusterId": t.cluster, "signal": "NO_SIGNAL", "observedAt": f"2023-03-0{i + 1}T08:00:00+07:00"}},
    ),
    "recordProgramme (producer Ba Bể)": lambda i, t: (PROGRAMME, {"input": _programme(i, "061")}),
    "recordRelay (VNPT's station)": lambda i, t: (
        RELAY,
        {
            "input": {
                "stationId": t.station,
                "source": "VOV1",
                "startedAt": f"2023-04-0{i + 1}T05:00:00+07:00",
                "endedAt": f"2023-04-0{i + 1}T06:00:00+07:00",
            }
        },
    ),
    "recordProgramme (Pác Nặm)": lambda i, t: (PROGRAMME, {"input": _programme(i, "062")}),
}


# --- what a mutation's result shows a writer without ``read`` (test_authz_matrix.py) ---------

NESTED: dict[str, dict[str, str]] = {
    "Programme": {"producer": "producer { code }", "deliveries": "deliveries { status }"},
}
"""Every field of a result type that reaches past the written row: each needs ``read``."""

DIRECT = {"Programme": "id title airDate newsItems articles durationSeconds segments"}


async def test_every_broadcast_operation_is_allowed_or_refused_as_the_matrix_specifies(
    matrix_platform: Platform,
) -> None:
    await check_table(matrix_platform, "authz-matrix-broadcast", CELLS, await build_targets(matrix_platform))
