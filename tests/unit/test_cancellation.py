"""``stop_tasks`` ends a task that lost its first cancellation, and names one that never ends."""

from __future__ import annotations

import asyncio
import contextlib

from libs.common.cancellation import stop_tasks


async def test_a_task_that_loses_a_cancellation_is_asked_again_until_it_ends() -> None:
    lost = 0

    async def loop_losing_two() -> None:
        nonlocal lost
        while True:
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                if lost == 2:
                    raise
                lost += 1  # as wait_for on 3.11 does when what it awaits completed meanwhile

    task = asyncio.create_task(loop_losing_two())
    await asyncio.sleep(0)

    stuck = await stop_tasks([task], within=5, ask_again=0.05)

    assert stuck == []
    assert task.cancelled()
    assert lost == 2


async def test_a_task_that_never_ends_is_returned_after_the_deadline() -> None:
    stop = asyncio.Event()

    async def deaf() -> None:
        while not stop.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(10)

    task = asyncio.create_task(deaf())
    await asyncio.sleep(0)

    stuck = await stop_tasks([task], within=0.2, ask_again=0.05)

    assert stuck == [task]
    stop.set()
    await stop_tasks([task], within=5, ask_again=0.05)
    assert task.done()


async def test_what_ended_tasks_raised_is_retrieved() -> None:
    async def fails() -> None:
        raise RuntimeError("reported by the task itself")

    failed = asyncio.create_task(fails())
    sleeping = asyncio.create_task(asyncio.sleep(10))
    await asyncio.sleep(0)

    assert await stop_tasks([failed, sleeping], within=5) == []
    assert sleeping.cancelled()
    # Retrieved: the loop does not log "exception was never retrieved" when it is collected.
    assert failed._log_traceback is False
