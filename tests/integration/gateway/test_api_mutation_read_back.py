"""A mutation that returns its own write waits for the projection's commit, not a polling loop
(ADR 0047), and a read model that stays behind gives a warning, never an error.

The projections are the platform's real ones, stalled by holding their advisory locks (``stalling``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import msgspec
import pytest

from libs.common.projections import notices
from libs.common.settings import Settings
from services.registry.entrypoints.projections import PROJECTIONS as REGISTRY_PROJECTIONS
from tests.integration.gateway.api_fixtures import REGISTER_UNIT, register_unit
from tests.integration.gateway.api_platform import Platform, start_platform
from tests.integration.gateway.stalling import stalled

READ_BACK_SECONDS = 2.0
UNITS = next(p for p in REGISTRY_PROJECTIONS if p.name == "registry_units")
REGISTRYS_OWN = [UNITS, *(p for p in REGISTRY_PROJECTIONS if p is not UNITS)]
"""The registry's read models: what a registry command's read-back waits for."""


@pytest.fixture
async def platform(settings: Settings) -> AsyncIterator[Platform]:
    async for running in start_platform(msgspec.structs.replace(settings, gateway_read_back_seconds=READ_BACK_SECONDS)):
        await register_unit(running, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
        yield running


def district(code: str) -> dict[str, Any]:
    return {"input": {"code": code, "name": f"Huyện {code}", "level": "DISTRICT", "parentCode": "06",
                      "validFrom": "2020-01-01"}}  # fmt: skip


async def test_a_mutation_answers_with_its_write_and_the_next_query_shows_it(platform: Platform) -> None:
    answer = await platform.graphql(REGISTER_UNIT, district("061"))
    assert not answer.get("errors")
    assert "warnings" not in answer["extensions"]
    assert answer["data"]["registerUnit"]["parent"] == {"code": "06"}
    shown = await platform.data('{ unit(code: "061") { id name } }')
    assert shown["unit"] == {"id": answer["data"]["registerUnit"]["id"], "name": "Huyện 061"}


async def test_a_mutation_wakes_on_the_projections_commit_without_polling_meanwhile(
    platform: Platform, settings: Settings
) -> None:
    """Failed before ADR 0047: the mutation polled the registry's read model every 5-100 ms
    while the projection stood still (about ten reads in the stall), and answered on a poll
    tick after the commit."""
    listener = await asyncpg.connect(settings.database_url)
    committed = asyncio.get_running_loop().create_future()

    def heard(_conn: object, _pid: int, _channel: str, payload: object) -> None:
        if notices.decode(str(payload)).projection == UNITS.name and not committed.done():
            committed.set_result(time.monotonic())

    await listener.add_listener(notices.CHANNEL, heard)
    try:
        async with stalled(settings.database_url, REGISTRYS_OWN):
            mutation = asyncio.create_task(platform.graphql(REGISTER_UNIT, district("062")))
            await asyncio.sleep(1.0)  # the stall itself: a projection behind by a second
            assert not mutation.done()
        answer = await mutation
        answered = time.monotonic()
        commit = await asyncio.wait_for(committed, 10)
    finally:
        await listener.close()
    assert not answer.get("errors")
    assert "warnings" not in answer["extensions"]
    assert answer["data"]["registerUnit"]["parent"] == {"code": "06"}
    # The command, the parent's read, and at most one read per registry read model that
    # committed after the stall (either may be the first to wake the mutation); polling made ~10.
    assert answer["extensions"]["internalCalls"]["registry"] <= 2 + len(REGISTRYS_OWN)
    # Generous for a loaded machine; measured at a few ms when the machine is quiet.
    assert answered - commit < 1.0


async def test_a_read_model_that_stays_behind_gives_the_accepted_write_and_a_warning(
    platform: Platform, settings: Settings
) -> None:
    """Failed before ADR 0047: the mutation answered the error ``read_model_lag`` (no data)
    for a command the registry had accepted."""
    async with stalled(settings.database_url, [UNITS]):
        started = time.monotonic()
        answer = await platform.graphql(REGISTER_UNIT, district("063"))
        waited = time.monotonic() - started
    assert not answer.get("errors"), answer["errors"]
    unit = answer["data"]["registerUnit"]
    assert (unit["code"], unit["level"], unit["parent"]) == ("063", "DISTRICT", {"code": "06"})
    [warning] = answer["extensions"]["warnings"]
    assert warning["code"] == "read_model_lag"
    assert "unit" in warning["message"]
    assert READ_BACK_SECONDS <= waited < READ_BACK_SECONDS + 5
    # The projection resumes: the write is there, under the id the answer gave.
    assert await platform.eventually(lambda: _unit_id(platform, "063"), timeout=30) == unit["id"]


async def _unit_id(platform: Platform, code: str) -> str | None:
    found = (await platform.data(f'{{ unit(code: "{code}") {{ id }} }}'))["unit"]
    return None if found is None else str(found["id"])
