"""A WebSocket's credential, checked again for as long as the connection lives.

A subscription outlives the check made at ``connection_init``: without another look, a revoked
partner, a rotated-out key or an expired JWT would keep receiving events for as long as it
kept the socket open. Each authenticated connection is checked again every
``TINHSO_WS_RECHECK_SECONDS`` (30 s), through the authenticator and its cache (so a check
costs a database lookup at most once per key and cache window, however many sockets share
the key). And when this process refuses a key on any request, the sockets opened with it are
closed at once rather than at their next check. A refused credential, or one that now names a
different principal (other scopes, another unit), closes the connection with 4403, the code
``connection_init`` refuses with. See docs/adr/0020-read-authorization.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from libs.common.errors import UnauthorizedError
from libs.common.principal import Principal
from services.gateway.security import api_keys

log = logging.getLogger(__name__)

REFUSED_CLOSE_CODE = 4403
REFUSED_REASON = "the credential is no longer valid (revoked, rotated out or expired); reconnect with a valid one"

Authenticate = Callable[[str | None], Awaitable[Principal | None]]
Close = Callable[[int, str], Awaitable[None]]


@dataclass(eq=False)
class Watched:
    """One open, authenticated connection."""

    authorization: str
    principal: Principal
    close: Close
    key_id: str | None
    """The API key's id (None for a JWT): what a refusal elsewhere in the process names."""
    task: asyncio.Task[None] | None = None
    closing: asyncio.Task[None] | None = field(default=None, repr=False)


class CredentialWatch:
    def __init__(self, authenticate: Authenticate, *, interval_seconds: float) -> None:
        self._authenticate = authenticate
        self._interval = interval_seconds
        self._open: set[Watched] = set()

    def watch(self, authorization: str, principal: Principal, close: Close) -> Watched:
        """Start checking a connection that authenticated as ``principal``; ``forget`` ends it."""
        token = authorization.strip().partition(" ")[2].strip()
        presented = api_keys.parse(token)
        watched = Watched(authorization, principal, close, presented.key_id if presented else None)
        watched.task = asyncio.create_task(self._recheck(watched), name=f"ws-credential-{principal.subject}")
        self._open.add(watched)
        return watched

    def forget(self, watched: Watched) -> None:
        self._open.discard(watched)
        if watched.task is not None and watched.task is not asyncio.current_task():
            watched.task.cancel()

    def refused(self, key_id: str) -> None:
        """The authenticator refused this key on some request: close its sockets now."""
        for watched in list(self._open):
            if watched.key_id == key_id and watched.closing is None:
                watched.closing = asyncio.create_task(self._close(watched))

    async def _recheck(self, watched: Watched) -> None:
        while watched in self._open:
            await asyncio.sleep(self._interval)
            try:
                principal = await self._authenticate(watched.authorization)
            except UnauthorizedError:
                principal = None
            except Exception as exc:  # the partner store unreachable: keep the socket, try again
                log.warning("re-checking %s's WebSocket credential failed (%s)", watched.principal.subject, exc)
                continue
            if principal != watched.principal:
                await self._close(watched)
                return

    async def _close(self, watched: Watched) -> None:
        if watched not in self._open:
            return
        self.forget(watched)
        log.info("closing %s's WebSocket: its credential was refused", watched.principal.subject)
        # The client may have gone at the same moment: closing a closed socket is no error here.
        with contextlib.suppress(Exception):
            await watched.close(REFUSED_CLOSE_CODE, REFUSED_REASON)
