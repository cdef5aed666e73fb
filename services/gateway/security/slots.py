"""How much one caller may run at once in this process: GraphQL operations, WebSockets,
subscriptions, and WebSockets of a client host that have not sent connection_init yet.

A partner's operations take slots from the partner's own semaphore, and every anonymous
caller's from one semaphore they share, before they take one of the process's
(``Limits.max_concurrent_operations``, the bound on what a CPU-bound process should
interleave). So a caller that fills its own slots with slow operations (a mutation waits for
its read model) makes only its own next operations wait, never another partner's.

The caps are per process, not per platform: a partner served by three gateway replicas may
run three times as much. That bounds what one caller can take of a process, which is what
starving the others needs; the rate limit is the platform-wide bound (ADR 0018).

An operation that waits on something other than this process's CPU steps out of its slot
for the wait (``Slot.aside``): a mutation waiting for its read model to apply its write
(``read_back``) holds nothing a query needs, so a partner writing at 10/s does not fill its
own slots with waits and queue its queries behind them (ADR 0057).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextvars import ContextVar

from libs.common.errors import RateLimitedError
from libs.common.principal import Principal
from services.gateway.security.callers import caller_key

_CURRENT: ContextVar[Slot | None] = ContextVar("tinhso_execution_slot", default=None)
"""The slot the running operation holds (set by ``ExecutionSlots.slot`` for its body)."""


def aside() -> contextlib.AbstractAsyncContextManager[None]:
    """Out of the running operation's slot for a wait (``Slot.aside``); nothing without one (a
    REST route, a test calling a resolver)."""
    held = _CURRENT.get()
    return contextlib.nullcontext() if held is None else held.aside()


class ExecutionSlots:
    def __init__(self, *, per_partner: int, anonymous: int, process: int) -> None:
        self._per_partner = per_partner
        self._anonymous = asyncio.Semaphore(anonymous)
        self._process = asyncio.Semaphore(process)
        self._partners: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def slot(self, principal: Principal | None) -> AsyncIterator[Slot]:
        """Waits for the caller's own slot, then for the process's: waiting on its own cap, a
        caller holds nothing another caller needs."""
        if principal is None:
            async with self._holding(Slot(self._anonymous, self._process)) as held:
                yield held
            return
        key = caller_key(principal)
        semaphore, users = self._partners.setdefault(key, (asyncio.Semaphore(self._per_partner), [0]))
        users[0] += 1
        try:
            async with self._holding(Slot(semaphore, self._process)) as held:
                yield held
        finally:
            users[0] -= 1
            if users[0] == 0:  # a partner's semaphore lives while it has operations in flight
                del self._partners[key]

    @staticmethod
    @contextlib.asynccontextmanager
    async def _holding(held: Slot) -> AsyncIterator[Slot]:
        try:
            await held.take()
            current = _CURRENT.set(held)
            try:
                yield held
            finally:
                _CURRENT.reset(current)
        finally:
            held.give_back()


class Slot:
    """One operation's place: the caller's semaphore and the process's, taken in that order."""

    def __init__(self, own: asyncio.Semaphore, process: asyncio.Semaphore) -> None:
        self._own = own
        self._process = process
        self._held = 0
        """How many of the two semaphores are held now: a cancelled take gives back only those."""

    async def take(self) -> None:
        await self._own.acquire()
        self._held = 1
        await self._process.acquire()
        self._held = 2

    def give_back(self) -> None:
        if self._held == 2:
            self._process.release()
        if self._held >= 1:
            self._own.release()
        self._held = 0

    @contextlib.asynccontextmanager
    async def aside(self) -> AsyncIterator[None]:
        """Out of the slot for a wait that uses no CPU of this process; back in (waiting for a
        place like any operation) before going on."""
        self.give_back()
        try:
            yield
        finally:
            await self.take()


class CapReachedError(RateLimitedError):
    """Too many WebSockets or subscriptions open for one caller; ``code`` says which."""

    def __init__(self, message: str, *, code: str, cap: int) -> None:
        super().__init__(message, retry_after=1, details={"cap": cap})
        self.code = code


class OpenCounts:
    """Things a caller holds open (WebSockets, subscriptions), counted per caller key."""

    def __init__(self, cap: int, *, what: str, code: str) -> None:
        self.cap = cap
        self._what = what
        self._code = code
        self._open: dict[str, int] = {}

    def open(self, key: str) -> None:
        """Counts one more for ``key``, or raises ``CapReachedError`` (and counts nothing)."""
        held = self._open.get(key, 0)
        if held >= self.cap:
            raise CapReachedError(
                f"{self.cap} {self._what} are open for this caller already; close one first",
                code=self._code,
                cap=self.cap,
            )
        self._open[key] = held + 1

    def close(self, key: str) -> None:
        held = self._open.get(key, 0) - 1
        if held > 0:
            self._open[key] = held
        else:
            self._open.pop(key, None)

    def held(self, key: str) -> int:
        return self._open.get(key, 0)

    def hold(self, key: str) -> Held:
        """``open``, with a handle that gives the place back once, whoever releases it first."""
        self.open(key)
        return Held(self, key)


class Held:
    """One place counted in an ``OpenCounts``; ``release`` gives it back (a second call: nothing)."""

    def __init__(self, counts: OpenCounts, key: str) -> None:
        self._counts: OpenCounts | None = counts
        self._key = key

    def release(self) -> None:
        if self._counts is not None:
            self._counts.close(self._key)
            self._counts = None
