"""The gateway's ASGI middleware for what admission decides outside a handler: how long a
request body may take to arrive, and the ``RateLimit-*`` headers of every answer.

A body must arrive in full within ``TINHSO_GATEWAY_BODY_TIMEOUT_SECONDS`` of the request's
start; a slower one is answered 408 and its connection closed, so a client trickling bytes
holds a connection and a little memory for that long at most, never an execution slot (the
GraphQL endpoint reads the body before it takes one). The timer only runs while a body is
expected: once it is in, the request's handler takes as long as it takes.

The rate limiter's last decision for a request is kept in the ASGI scope's state
(``remember``); the answer's start carries it as ``RateLimit-Limit``/``-Remaining``/``-Reset``
and ``RateLimit-Policy`` (IETF draft names), and ``Retry-After`` when it was a refusal.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from services.gateway.security.rate_limit import RateDecision

STATE_KEY = "tinhso.rate_limit"


class BodyTimeoutError(HTTPException):
    status_code = 408


def remember(scope: Scope, decision: RateDecision | None) -> None:
    """The decision whose headers this request's answer carries (the last one charged)."""
    if decision is not None:
        scope.setdefault("state", {})[STATE_KEY] = decision


def edge_middleware(body_timeout: float) -> Callable[[ASGIApp], ASGIApp]:
    def wrap(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            await app(scope, _timed(receive, time.monotonic() + body_timeout, body_timeout), _headed(scope, send))

        return middleware

    return wrap


def _timed(receive: Receive, deadline: float, timeout: float) -> Receive:
    receiving = True

    async def timed() -> Any:
        nonlocal receiving
        if not receiving:  # the body is in: what is left to receive is the client leaving
            return await receive()
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            async with asyncio.timeout(left):
                message = await receive()
        except TimeoutError:
            raise BodyTimeoutError(
                detail=f"the request body did not arrive within {timeout:g} s",
                headers={"connection": "close"},
            ) from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            receiving = False
        return message

    return timed


def _headed(scope: Scope, send: Send) -> Send:
    async def headed(message: Message) -> None:
        if message["type"] == "http.response.start":
            decision = scope.get("state", {}).get(STATE_KEY)
            if isinstance(decision, RateDecision):
                present = {name.lower() for name, _ in message.get("headers", [])}
                added = [(name, value) for name, value in decision.headers() if name not in present]
                message = {**message, "headers": [*message.get("headers", []), *added]}
        await send(message)

    return headed
