"""The one authorization dependency: scope refused before the route runs, context handed in."""

from __future__ import annotations

from typing import Any

from litestar import Litestar, get, post
from litestar.params import JSONBody
from litestar.testing import TestClient
from litestar.types import ASGIApp, Receive, Scope, Send

from libs.common.eventstore.context import CommandContext
from libs.common.http.context import Ctx, Reader, command_context, reader
from libs.common.http.errors import EXCEPTION_HANDLERS
from libs.common.principal import Principal

CALLS: list[CommandContext] = []


@post("/commands/x", dependencies={"ctx": command_context("things:write")})
async def write(data: JSONBody[dict[str, Any]], ctx: Ctx) -> dict[str, str | None]:
    CALLS.append(ctx)
    return {"key": ctx.idempotency_key, "unit": ctx.unit_code}


@post("/commands/province", dependencies={"ctx": command_context("things:write", province_wide=True)})
async def province(data: JSONBody[dict[str, Any]], ctx: Ctx) -> None:
    CALLS.append(ctx)


@get("/things", dependencies={"caller": reader("read", "things:write")})
async def things(caller: Reader) -> str:
    return caller.subject


def as_caller(principal: Principal) -> Any:
    def middleware(app: ASGIApp) -> ASGIApp:
        async def call(scope: Scope, receive: Receive, send: Send) -> None:
            scope["user"] = principal  # what the principal-token middleware sets once it verified the token
            await app(scope, receive, send)

        return call

    return middleware


def client(principal: Principal) -> TestClient[Litestar]:
    app = Litestar([write, province, things], middleware=[as_caller(principal)], exception_handlers=EXCEPTION_HANDLERS)
    return TestClient(app)


def test_a_caller_without_the_scope_is_refused_before_the_route_runs() -> None:
    CALLS.clear()
    with client(Principal(subject="r", scopes=frozenset({"read"}))) as c:
        answer = c.post("/commands/x", json={})
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"
    assert CALLS == []


def test_the_route_gets_the_caller_metadata_and_key() -> None:
    CALLS.clear()
    centre = Principal(subject="c", partner="BK-PAC", scopes=frozenset({"things:write"}), unit_code="PAC")
    with client(centre) as c:
        answer = c.post("/commands/x", json={}, headers={"Idempotency-Key": "k1"})
    assert answer.json() == {"key": "k1", "unit": "PAC"}
    (ctx,) = CALLS
    assert ctx.metadata is not None
    assert ctx.metadata.partner == "BK-PAC"
    assert ctx.request_path == "/commands/x"


def test_a_too_long_key_is_a_400_not_a_500() -> None:
    with client(Principal(subject="a", scopes=frozenset({"admin"}))) as c:
        answer = c.post("/commands/x", json={}, headers={"Idempotency-Key": "k" * 201})
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_header"


def test_a_province_wide_command_is_refused_to_a_unit_bound_admin() -> None:
    CALLS.clear()
    with client(Principal(subject="c", scopes=frozenset({"admin"}), unit_code="PAC")) as c:
        answer = c.post("/commands/province", json={})
    assert answer.status_code == 403
    assert answer.json()["code"] == "province_wide_command"
    assert CALLS == []


def test_a_reader_needs_one_of_its_scopes() -> None:
    with client(Principal(subject="w", scopes=frozenset({"things:write"}))) as c:
        assert c.get("/things").text == "w"
    with client(Principal(subject="x", scopes=frozenset({"other:write"}))) as c:
        assert c.get("/things").status_code == 403
