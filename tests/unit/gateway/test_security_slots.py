"""Execution slots per caller: one caller filling its own does not hold another's back."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from libs.common.principal import Principal
from services.gateway.security.slots import CapReachedError, ExecutionSlots, OpenCounts

VNPT = Principal(subject="partner:vnpt", partner="vnpt")
VIETTEL = Principal(subject="partner:viettel", partner="viettel")


async def _hold(slots: ExecutionSlots, principal: Principal | None, release: asyncio.Event) -> None:
    async with slots.slot(principal):
        await release.wait()


async def _enters_at_once(slots: ExecutionSlots, principal: Principal | None) -> bool:
    try:
        async with asyncio.timeout(0.2), slots.slot(principal):
            return True
    except TimeoutError:
        return False


@pytest.mark.parametrize("hog", [VNPT, None], ids=["a partner", "anonymous callers"])
async def test_a_caller_at_its_cap_waits_and_others_do_not(hog: Principal | None) -> None:
    slots = ExecutionSlots(per_partner=2, anonymous=2, process=5)
    release = asyncio.Event()
    holders = [asyncio.create_task(_hold(slots, hog, release)) for _ in range(6)]
    await asyncio.sleep(0.05)
    try:
        assert not await _enters_at_once(slots, hog)
        assert await _enters_at_once(slots, VIETTEL)
    finally:
        release.set()
        await asyncio.gather(*holders)
    assert await _enters_at_once(slots, hog)


async def test_the_process_cap_still_bounds_everyone_together() -> None:
    slots = ExecutionSlots(per_partner=2, anonymous=2, process=3)
    release = asyncio.Event()
    holders = [asyncio.create_task(_hold(slots, who, release)) for who in (VNPT, VNPT, None)]
    await asyncio.sleep(0.05)
    try:
        assert not await _enters_at_once(slots, VIETTEL)
    finally:
        release.set()
        await asyncio.gather(*holders)


async def test_a_cancelled_waiter_gives_nothing_away() -> None:
    slots = ExecutionSlots(per_partner=1, anonymous=1, process=4)
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(slots, VNPT, release))
    await asyncio.sleep(0.05)
    waiter = asyncio.create_task(_hold(slots, VNPT, release))
    await asyncio.sleep(0.05)
    waiter.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiter
    release.set()
    await holder
    assert await _enters_at_once(slots, VNPT)


def test_open_counts_refuse_past_the_cap_and_give_places_back() -> None:
    counts = OpenCounts(2, what="WebSockets", code="websocket_limit")
    counts.open("partner:vnpt")
    counts.open("partner:vnpt")
    with pytest.raises(CapReachedError) as refused:
        counts.open("partner:vnpt")
    assert refused.value.code == "websocket_limit"
    counts.open("partner:viettel")
    counts.close("partner:vnpt")
    counts.open("partner:vnpt")
    assert counts.held("partner:vnpt") == 2


def test_a_held_place_is_given_back_once_whoever_releases_it() -> None:
    """A pending WebSocket's place is released at connection_init and again when it closes:
    the second release must not give back another socket's place."""
    counts = OpenCounts(2, what="WebSockets awaiting connection_init", code="websocket_pending_limit")
    first, second = counts.hold("host:198.51.100.7"), counts.hold("host:198.51.100.7")
    with pytest.raises(CapReachedError):
        counts.hold("host:198.51.100.7")
    first.release()
    first.release()
    assert counts.held("host:198.51.100.7") == 1
    second.release()
    assert counts.held("host:198.51.100.7") == 0
