"""A metrics request PostgreSQL refuses is answered without PostgreSQL's words.

Failed before the fix: a NUL in a unit code reached PostgreSQL, and its message
(``invalid byte sequence for encoding "UTF8": 0x00``) was the partner's 400 message.
"""

from __future__ import annotations

from tests.integration.metrics.conftest import Metrics

LEAKS = ("invalid byte sequence", "UTF8", "0x00", "encoding", "Key (", "constraint")


async def test_a_nul_in_a_unit_code_is_refused_in_our_words(metrics: Metrics) -> None:
    await metrics.caught_up()  # the read model of units exists: the NUL, not its absence, is refused
    body = {"indicator_code": "citizens.bank_account_15plus", "unit_code": "06\u0000", "period": "2022", "value": 50}
    response = await metrics.client.post("/commands/values/report", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_value"
    for leak in LEAKS:
        assert leak not in response.text, leak


async def test_a_nul_in_a_query_parameter_is_refused_in_our_words(metrics: Metrics) -> None:
    await metrics.caught_up()
    response = await metrics.client.get(
        "/values", params={"codes": "citizens.bank_account_15plus", "unit_codes": "06\u0000", "period": "2022"}
    )
    assert response.status_code == 400, response.text
    for leak in LEAKS:
        assert leak not in response.text, leak
