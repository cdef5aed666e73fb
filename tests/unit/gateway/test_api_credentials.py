"""The WebSocket credential watch: when a socket is closed, when it is left open."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from libs.common.errors import UnauthorizedError
from libs.common.principal import Principal
from services.gateway.graphql.credentials import REFUSED_CLOSE_CODE, CredentialWatch

KEY = "Bearer tsk_0123456789abcdef_" + "a" * 43
READER = Principal(subject="partner:p", partner="p", scopes=frozenset({"read"}))


class Socket:
    def __init__(self) -> None:
        self.closed: list[int] = []

    async def close(self, code: int, reason: str) -> None:
        self.closed.append(code)


class Store:
    """What the authenticator answers, changed by the test as it goes."""

    def __init__(self) -> None:
        self.answer: Principal | Exception = READER
        self.asked = 0

    async def authenticate(self, authorization: str | None) -> Principal | None:
        self.asked += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


async def until(condition: Callable[[], object], seconds: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not within the time allowed"
        await asyncio.sleep(0.005)


async def test_a_valid_credential_keeps_its_socket_across_checks() -> None:
    store, socket = Store(), Socket()
    watch = CredentialWatch(store.authenticate, interval_seconds=0.01)
    watched = watch.watch(KEY, READER, socket.close)
    await until(lambda: store.asked >= 3)
    assert socket.closed == []
    watch.forget(watched)


async def test_a_refused_credential_closes_the_socket_with_4403() -> None:
    store, socket = Store(), Socket()
    watch = CredentialWatch(store.authenticate, interval_seconds=0.01)
    watch.watch(KEY, READER, socket.close)
    store.answer = UnauthorizedError("revoked", code="invalid_api_key")
    await until(lambda: socket.closed)
    assert socket.closed == [REFUSED_CLOSE_CODE]


async def test_a_credential_that_now_names_other_scopes_closes_the_socket() -> None:
    store, socket = Store(), Socket()
    watch = CredentialWatch(store.authenticate, interval_seconds=0.01)
    watch.watch(KEY, READER, socket.close)
    store.answer = Principal(subject="partner:p", partner="p", scopes=frozenset({"registry:write"}))
    await until(lambda: socket.closed)
    assert socket.closed == [4403]


async def test_an_unreachable_store_leaves_the_socket_open() -> None:
    store, socket = Store(), Socket()
    watch = CredentialWatch(store.authenticate, interval_seconds=0.01)
    watched = watch.watch(KEY, READER, socket.close)
    store.answer = OSError("connection refused")
    await until(lambda: store.asked >= 3)
    assert socket.closed == []
    watch.forget(watched)


async def test_a_key_refused_elsewhere_closes_only_its_own_sockets_once() -> None:
    store, mine, other = Store(), Socket(), Socket()
    watch = CredentialWatch(store.authenticate, interval_seconds=300)
    watch.watch(KEY, READER, mine.close)
    watch.watch("Bearer tsk_fedcba9876543210_" + "b" * 43, READER, other.close)
    watch.refused("0123456789abcdef")
    watch.refused("0123456789abcdef")
    await until(lambda: mine.closed)
    await asyncio.sleep(0.01)
    assert mine.closed == [4403]
    assert other.closed == []
    assert store.asked == 0, "closed at once, without waiting for a check"
