"""Stopping background tasks when a cancellation can be lost.

``task.cancel()`` asks once. A loop that loses the request runs on, and a stop that awaits it
waits forever: on Python 3.11 ``asyncio.wait_for`` returns normally when what it awaits
completes in the same step as the cancellation (why it is banned in ``libs`` and
``services``), and a library that catches ``CancelledError`` can do the same. Two backbone
tests hung their 300 s that way, in a relay's idle loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from typing import Any

ASK_AGAIN_SECONDS = 3.0
"""Long enough for a cancelled task's own clean-up (closing its connections, leaving a consumer
group), which a second cancellation would cut short; short enough that a lost one costs a few
seconds of a stop, not all of it."""


async def stop_tasks(
    tasks: Iterable[asyncio.Task[Any]], *, within: float, ask_again: float = ASK_AGAIN_SECONDS
) -> list[asyncio.Task[Any]]:
    """Cancel ``tasks``, again every ``ask_again`` seconds for those still running, for at most
    ``within`` seconds; the tasks still running then.

    What the ended ones raised is dropped: a task that failed has reported it (logged) itself,
    and this is a stop."""
    tasks = list(tasks)
    running = {task for task in tasks if not task.done()}
    deadline = time.monotonic() + within
    while running:
        for task in running:
            task.cancel()
        wait = min(ask_again, deadline - time.monotonic())
        if wait <= 0:
            break
        _, pending = await asyncio.wait(running, timeout=wait)
        running = set(pending)
    for task in tasks:
        if task.done() and not task.cancelled():
            with contextlib.suppress(Exception):
                task.result()
    return [task for task in tasks if not task.done()]
