"""The source-link table of the authorization matrix (``authz-source-link`` in
docs/services/gateway-security.md), cell by cell, through ``/api/v1`` and ``/graphql`` (ADR
0054): the columns of the other tables and the source system's key (``source:link`` only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from tests.integration.gateway.api_fixtures import register_unit
from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import CALLERS, FORBIDDEN, WHO, attempt, matrix_platform, read_table
from tests.integration.gateway.source_link_support import SOURCE_SYSTEM, add_partner, bulletin, send_bulletin

__all__ = ["matrix_platform"]

COLUMNS = (*CALLERS, "source system")
WHOM = {**WHO, "source system": "source"}

Cell = Callable[[Platform, int, str | None], Awaitable[str]]

NESTED: dict[str, dict[str, str]] = {"SourceBulletinReceipt": {}}
"""A receipt names the programme; it reaches past nothing (``test_authz_matrix.py``)."""
DIRECT = {"SourceBulletinReceipt": "bulletinId programmeId recorded"}

RECEIVE = "mutation($i: ReceiveSourceBulletinInput!) { receiveSourceBulletin(input: $i) { programmeId } }"
RESULTS = "{ sourceBulletinResults { nextSince } }"


def _graphql_bulletin(i: int) -> dict[str, object]:
    return {"bulletinId": f"MATRIX-G{i}", "unitCode": "061", "title": "Bản tin", "airDate": "2026-12-08",
            "durationSeconds": 300, "newsItems": 1, "articles": 0, "priority": "EMERGENCY"}  # fmt: skip


async def _rest(sent: Awaitable[httpx.Response]) -> str:
    return outcome(await sent)


CELLS: dict[str, Cell] = {
    "POST /api/v1/source-bulletins (a Ba Bể bulletin)": lambda p, i, who: _rest(
        send_bulletin(p, who, bulletin(f"MATRIX-{i}"))
    ),
    "GET /api/v1/source-bulletins/results (the caller's)": lambda p, i, who: _rest(
        p.http.get("/api/v1/source-bulletins/results", headers=p.auth(who) if who else {})
    ),
    "receiveSourceBulletin (a Ba Bể bulletin)": lambda p, i, who: attempt(p, who, RECEIVE, {"i": _graphql_bulletin(i)}),
    "sourceBulletinResults (the caller's)": lambda p, i, who: attempt(p, who, RESULTS, {}),
}


def outcome(response: httpx.Response) -> str:
    if response.is_success:
        return "ok"
    if response.status_code == 401:
        return "401"
    code = str(response.json().get("code", ""))
    return FORBIDDEN.get(code.upper(), f"error {response.status_code} {code}")


async def test_every_source_link_operation_is_allowed_or_refused_as_the_matrix_specifies(
    matrix_platform: Platform,
) -> None:
    platform = matrix_platform
    await add_partner(platform, "source", SOURCE_SYSTEM)
    await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
    await register_unit(platform, "061", "Huyện Ba Bể", "DISTRICT", "06")
    matrix = read_table("authz-source-link", COLUMNS)
    assert set(matrix) == set(CELLS)
    differing = {}
    for label, expected in matrix.items():
        observed = {c: await CELLS[label](platform, i, WHOM[c]) for i, c in enumerate(COLUMNS)}
        if observed != expected:
            differing[label] = {c: f"{expected[c]} → {observed[c]}" for c in COLUMNS if observed[c] != expected[c]}
    assert not differing, differing
