"""Handlers called directly answer exactly as Litestar's own machinery does.

Each request is sent, as raw ASGI messages, to two apps built from the same handlers: one
with ``direct_calls_middleware``, one without. Their answers must be the same messages, byte
for byte. Whether the direct app called the handler itself or handed the request to Litestar
is read off Litestar's kwargs model: only Litestar's own path builds a handler's arguments
with it.
"""

from __future__ import annotations

import importlib
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from unittest.mock import ANY

import msgspec
import pytest
from litestar import Litestar, Request, Response, get, post
from litestar._kwargs.kwargs_model import KwargsModel  # to tell which path answered
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers import BaseRouteHandler
from litestar.params import Body, FromPath, FromQuery, JSONBody

from contracts.services import EVENT_SOURCED, SERVICES
from libs.common.errors import ForbiddenError, InvalidInputError
from libs.common.event_signing import ensure_event_keys
from libs.common.http.direct_calls import Plans, direct_calls_middleware, plan_handlers
from libs.common.http.errors import EXCEPTION_HANDLERS
from libs.common.principal import ensure_keypair
from libs.common.settings import load_settings


class Rename(msgspec.Struct, frozen=True):
    name: Annotated[str, msgspec.Meta(min_length=1)]
    copies: int = 1


class Renamed(msgspec.Struct, frozen=True):
    thing_id: str
    name: str
    copies: int
    by: str
    event_id: uuid.UUID
    at: datetime


class Store:
    def __init__(self, caller: str) -> None:
        self.caller = caller


async def provide_clock() -> datetime:
    return datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


async def provide_store(request: Request[Any, Any, Any], clock: NamedDependency[datetime]) -> Store:
    return Store(f"{request.headers.get('x-caller', 'nobody')} at {clock:%H:%M}")


@post("/things/{thing_id:str}/rename", request_max_body_size=256)
async def rename(
    thing_id: FromPath[str], data: JSONBody[Rename], request: Request[Any, Any, Any], store: NamedDependency[Store]
) -> Renamed:
    if data.name == "forbidden":
        raise ForbiddenError("not yours", code="forbidden")
    if data.name == "invalid":
        raise InvalidInputError("no such name", code="bad_name", details={"name": data.name})
    if data.name == "boom":
        raise RuntimeError("a bug")
    return Renamed(thing_id, data.name, data.copies, store.caller, uuid.UUID(int=7), datetime(2026, 1, 1, tzinfo=UTC))


@post("/echo")
async def echo(request: Request[Any, Any, Any], data: JSONBody[dict[str, int]]) -> dict[str, Any]:
    return {"data": data, "raw": (await request.body()).decode()}


@post("/anything")
async def anything(data: JSONBody[Rename]) -> Any:
    return Response(content={"as": "a response"}, status_code=202, headers={"x-kind": "response"})


@post("/batch")
async def batch(data: JSONBody[Annotated[list[Rename], msgspec.Meta(max_length=2)]]) -> int:
    return len(data)


@post("/limited")
async def limited(data: Annotated[list[Rename], Body(max_items=2)]) -> int:
    return len(data)


@post("/codes/{code:str}")
async def code(code: Annotated[str, msgspec.Meta(max_length=3)], data: JSONBody[Rename]) -> dict[str, str]:
    return {"code": code}


def _guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    pass


@post("/guarded", guards=[_guard])
async def guarded(data: JSONBody[Rename]) -> Rename:
    return data


@post("/queried")
async def queried(data: JSONBody[Rename], dry_run: FromQuery[bool] = False) -> Rename:
    return data


@post("/sync", sync_to_thread=False)
def synchronous(data: JSONBody[Rename]) -> Rename:
    return data


@post("/raw")
async def raw(data: JSONBody[Rename]) -> Response[Rename]:
    return Response(data)


@get("/read")
async def read() -> Rename:
    return Rename("x")


HANDLERS = [rename, echo, anything, batch, limited, code, guarded, queried, synchronous, raw, read]
DEPENDENCIES = {"store": Provide(provide_store), "clock": Provide(provide_clock)}


def build(*, direct: bool) -> tuple[Litestar, Plans]:
    plans: list[Plans] = []
    middleware = [direct_calls_middleware(lambda: plans[0].direct)] if direct else []
    app = Litestar(
        HANDLERS,
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=middleware,
        openapi_config=None,
        logging_config=None,
    )
    plans.append(plan_handlers(app))
    return app, plans[0]


class Exchange(msgspec.Struct):
    sent: list[dict[str, Any]]
    through_litestar: bool


@pytest.fixture
def litestar_kwargs_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths of the requests whose handler arguments Litestar's kwargs model built."""
    calls: list[str] = []
    original = KwargsModel.to_kwargs

    async def counted(self: KwargsModel, connection: ASGIConnection[Any, Any, Any, Any]) -> dict[str, Any]:
        calls.append(connection.scope["path"])
        return await original(self, connection)

    monkeypatch.setattr(KwargsModel, "to_kwargs", counted)
    return calls


async def exchange(
    app: Litestar, calls: list[str], path: str, messages: list[dict[str, Any]], headers: dict[str, str] | None = None
) -> Exchange:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(k.encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 2),
        "state": {},
    }
    pending = list(messages)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    before = len(calls)
    await app(scope, receive, send)  # type: ignore[arg-type]
    return Exchange(sent, through_litestar=len(calls) > before)


def without_error_ids(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A 500's body holds a new error id each time."""
    return [
        {**m, "body": re.sub(rb'"error_id":"[0-9a-f]{32}"', b'"error_id":"-"', m["body"])} if "body" in m else m
        for m in sent
    ]


def body(*chunks: bytes) -> list[dict[str, Any]]:
    return [{"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1} for i, chunk in enumerate(chunks)]


JSON = {"content-type": "application/json"}
CASES: dict[str, tuple[str, list[dict[str, Any]], dict[str, str], bool]] = {
    # name: path, receive messages, headers, answered by the direct call
    "a command": ("/things/t-1/rename", body(b'{"name":"Pac Nam","copies":2}'), {**JSON, "x-caller": "vnpt"}, True),
    "a body in chunks": ("/things/t-1/rename", body(b'{"name":', b'"Ba Be"', b"}"), JSON, True),
    "a domain refusal": ("/things/t-1/rename", body(b'{"name":"forbidden"}'), JSON, True),
    "invalid input": ("/things/t-1/rename", body(b'{"name":"invalid"}'), JSON, True),
    "an unexpected error": ("/things/t-1/rename", body(b'{"name":"boom"}'), JSON, True),
    "a handler reading the body": ("/echo", body(b'{"a": 1}'), JSON, True),
    "a response returned at run time": ("/anything", body(b'{"name":"x"}'), JSON, True),
    "a list within its limit": ("/batch", body(b'[{"name":"a"},{"name":"b"}]'), JSON, True),
    "a list over its limit": ("/batch", body(b'[{"name":"a"},{"name":"b"},{"name":"c"}]'), JSON, False),
    "malformed JSON": ("/things/t-1/rename", body(b'{"name":'), JSON, False),
    "a field of the wrong type": ("/things/t-1/rename", body(b'{"name":5}'), JSON, False),
    "a constraint broken": ("/things/t-1/rename", body(b'{"name":""}'), JSON, False),
    "a value only lax decoding takes": ("/things/t-1/rename", body(b'{"name":"x","copies":"3"}'), JSON, False),
    "no body": ("/things/t-1/rename", body(b""), JSON, False),
    "a body announced too large": (
        "/things/t-1/rename",
        body(b'{"name":"x"}'),
        {**JSON, "content-length": "9999"},
        False,
    ),
    "a body too large, unannounced": ("/things/t-1/rename", body(b'{"name":"', b"x" * 300, b'"}'), JSON, False),
    "a bad content-length": ("/things/t-1/rename", body(b'{"name":"x"}'), {"content-length": "ten"}, False),
    "a client gone before its body": ("/things/t-1/rename", [{"type": "http.disconnect"}], JSON, False),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_a_direct_call_answers_as_litestar_does(case: str, litestar_kwargs_calls: list[str]) -> None:
    path, messages, headers, direct = CASES[case]
    with_direct, _ = build(direct=True)
    without, _ = build(direct=False)

    answered = await exchange(with_direct, litestar_kwargs_calls, path, messages, headers)
    expected = await exchange(without, litestar_kwargs_calls, path, messages, headers)

    assert expected.through_litestar
    assert answered.through_litestar is not direct
    assert without_error_ids(answered.sent) == without_error_ids(expected.sent)
    assert expected.sent[0]["status"] < 500 or case == "an unexpected error" or "gone" in case


async def test_the_command_case_is_the_handlers_answer(litestar_kwargs_calls: list[str]) -> None:
    app, _ = build(direct=True)
    path, messages, headers, _ = CASES["a command"]
    answered = await exchange(app, litestar_kwargs_calls, path, messages, headers)
    assert answered.sent[0]["status"] == 201
    assert msgspec.json.decode(answered.sent[1]["body"]) == {
        "thing_id": "t-1",
        "name": "Pac Nam",
        "copies": 2,
        "by": "vnpt at 18:00",
        "event_id": str(uuid.UUID(int=7)),
        "at": "2026-01-01T00:00:00Z",
    }


def test_handlers_using_what_a_direct_call_does_not_do_are_left_to_litestar() -> None:
    _, plans = build(direct=True)
    assert {handler.handler_name for handler in plans.direct} == {"rename", "echo", "anything", "batch"}
    assert plans.left_to_litestar == {
        "POST /limited": "limits on the body in its Body()",
        "POST /codes/{code:str}": "limits on path parameter 'code'",
        "POST /guarded": "guards",
        "POST /queried": "parameter 'dry_run' is neither the body, the request, a path parameter nor a dependency",
        "POST /sync": "synchronous handler",
        "POST /raw": "its answer is not a value Litestar encodes as JSON",
    }


async def test_a_route_left_to_litestar_still_answers(litestar_kwargs_calls: list[str]) -> None:
    app, _ = build(direct=True)
    answered = await exchange(app, litestar_kwargs_calls, "/queried", body(b'{"name":"x"}'), JSON)
    assert answered.through_litestar
    assert answered.sent[0]["status"] == 201


@pytest.mark.parametrize("service", SERVICES)
def test_every_command_route_of_the_services_is_called_directly(service: str, tmp_path: Path) -> None:
    """A route that stops qualifying (a guard, a query parameter...) is noticed here, not in a benchmark."""
    settings = load_settings(
        {},
        state_dir=str(tmp_path),
        principal_public_key_file=str(tmp_path / "public.pem"),
        principal_private_key_file=str(tmp_path / "private.pem"),
    )
    ensure_keypair(settings)
    ensure_event_keys(settings, EVENT_SOURCED)
    app = importlib.import_module(f"services.{service}.app").create_app(settings)

    plans = plan_handlers(app)

    # The gateway's GraphQL endpoint answers with its own Response: strawberry's, not a handler's value.
    assert plans.left_to_litestar == ({"POST /graphql": ANY} if service == "gateway" else {})
    assert len(plans.direct) == {"registry": 28, "broadcast": 21, "metrics": 7, "gateway": 1}[service]
