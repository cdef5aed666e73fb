"""An operation waiting on something else than this process steps out of its execution slot."""

from __future__ import annotations

import asyncio

from libs.common.principal import Principal
from services.gateway.security import slots
from services.gateway.security.slots import ExecutionSlots

VNPT = Principal(subject="partner:vnpt", partner="vnpt")


async def _waits_aside(running: ExecutionSlots, stepped_out: asyncio.Event, resume: asyncio.Event) -> str:
    async with running.slot(VNPT):
        async with slots.aside():
            stepped_out.set()
            await resume.wait()
        return "back in its slot"


async def test_a_mutation_waiting_for_its_read_model_frees_its_slot_for_a_query() -> None:
    """Failed before ADR 0057: a partner's mutations held its slots while they waited for their
    read models, and its queries queued behind them."""
    running = ExecutionSlots(per_partner=1, anonymous=1, process=1)
    stepped_out, resume = asyncio.Event(), asyncio.Event()
    mutation = asyncio.create_task(_waits_aside(running, stepped_out, resume))
    await stepped_out.wait()
    async with asyncio.timeout(1), running.slot(VNPT):
        query_ran = True  # the only slot, partner's and process's, was free
        resume.set()
        await asyncio.sleep(0.05)
        assert not mutation.done()  # it waits for its slot back, like any operation
    assert query_ran
    assert await asyncio.wait_for(mutation, 1) == "back in its slot"
    async with asyncio.timeout(1), running.slot(VNPT):  # and gave it back at the end
        pass


async def test_stepping_aside_outside_an_operation_does_nothing() -> None:
    async with slots.aside():
        pass


async def test_an_operation_cancelled_while_waiting_to_come_back_leaves_the_slots_whole() -> None:
    running = ExecutionSlots(per_partner=1, anonymous=1, process=1)
    stepped_out, resume = asyncio.Event(), asyncio.Event()
    mutation = asyncio.create_task(_waits_aside(running, stepped_out, resume))
    await stepped_out.wait()
    async with running.slot(VNPT):
        resume.set()
        await asyncio.sleep(0.05)
        mutation.cancel()  # while it waits for the slot this query holds
        await asyncio.gather(mutation, return_exceptions=True)
    for _ in range(2):  # neither over- nor under-released: exactly one place, every time
        async with asyncio.timeout(1), running.slot(VNPT):
            assert not await _enters_at_once(running)


async def _enters_at_once(running: ExecutionSlots) -> bool:
    try:
        async with asyncio.timeout(0.1), running.slot(VNPT):
            return True
    except TimeoutError:
        return False
