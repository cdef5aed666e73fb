"""A mutation's answer is its write as the read model shows it: this waits for the read model.

The command's answer says where its event stands in the service's log; the caller keeps it
(``ServiceCaller.last_write``) and ``read_back`` waits on the process's ``AppliedWatch`` until a
projection reports a checkpoint at or past it, then reads (ADR 0047). No polling: a read
happens only when a commit makes it worth doing, and the wait is spent out of the operation's
execution slot (``slots.aside``), which a query may take meanwhile. Past
``TINHSO_GATEWAY_READ_BACK_SECONDS`` it reads once more; a read model still behind does not turn
the accepted command into an error: the answer is what the command stated, or the entity as the
read model last showed it (``accepted``), with a ``read_model_lag`` warning in the response's
``extensions.warnings``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from libs.common.errors import DomainError
from services.gateway.adapters.internal import AnswerWarning, ServiceCaller
from services.gateway.security import slots

T = TypeVar("T")

log = logging.getLogger(__name__)

READ_MODEL_LAG = "read_model_lag"


class ReadModelLagError(DomainError):
    """A write accepted whose read model lags, for a mutation with no answer but the read model's."""

    code = READ_MODEL_LAG


async def read_back(
    caller: ServiceCaller,
    fetch: Callable[[], Awaitable[T | None]],
    what: str,
    *,
    reads: str | None,
    accepted: Callable[[], Awaitable[T | None]] | None = None,
) -> T:
    """What ``fetch`` finds once the read model has applied ``caller``'s last command.

    ``fetch`` answers None while the read model does not show the write. ``reads`` names the
    read model (the service's projection) ``fetch`` is served from: only its commits wake the
    wait, so the service's other projections cost no read that cannot find the write yet;
    None waits on any of the service's projections. ``accepted`` answers
    for a read model still behind at the deadline: what the command stated (a created entity
    built from the input), or the entity as the read model last showed it (a change to one);
    None when it cannot, and only then is the lag an error.
    """
    services = caller.services
    # Kept, not taken: a command that created several entities is read back once per entity.
    written = caller.last_write
    loop = asyncio.get_running_loop()
    deadline = loop.time() + services.read_back_seconds
    watch = services.watch
    if written is None or watch is None:
        # No position to wait on: what the read model shows now, else one read at the deadline.
        found = await fetch()
        if found is None:
            async with slots.aside():
                await asyncio.sleep(max(0.0, deadline - loop.time()))
            found = await fetch()
    else:
        if reads is not None and not reads.startswith(f"{written.service}_"):
            # A read model of another service than the one that took the command never reports
            # this write's position: waiting on it alone would last until the deadline.
            log.error("read-back of %s waits on %s, not a read model of %s", what, reads, written.service)
            reads = None
        ticket = watch.expect(written, None if reads is None else frozenset({reads}))
        try:
            while True:
                # The wait costs this process nothing: the operation's execution slot is free
                # for a query meanwhile (ADR 0057).
                async with slots.aside():
                    woke = await ticket.woken(deadline)
                found = await fetch()
                if found is not None or not woke:
                    break
                watch.missed(ticket)
        finally:
            watch.forget(ticket)
    if found is not None:
        return found
    message = f"the {what} was recorded, but its read model had not shown it after {services.read_back_seconds:g} s"
    answer = None if accepted is None else await accepted()
    if answer is None:
        raise ReadModelLagError(f"{message}; query it again shortly", code=READ_MODEL_LAG)
    caller.warnings.append(
        AnswerWarning(code=READ_MODEL_LAG, message=f"{message}; this answer may not show the write yet")
    )
    return answer
