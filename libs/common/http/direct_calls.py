"""Calls a route's handler directly when a request is one Litestar would pass through unchanged.

Litestar still declares, routes, documents and guards every route, and answers every error.
After its router has picked the route, this middleware takes over the requests of simple
handlers (a JSON body, string path parameters, the request, dependencies built from other
dependencies): it decodes the body with the handler's own type, resolves the handler's own
``Provide`` dependencies, calls the handler and encodes its answer with Litestar's encoder,
as Litestar would, without its per-request machinery, a large share of the API process's CPU
per command (ADR 0015 has the figures).

A body that does not decode strictly into the handler's type, one larger than the route
allows, or a client gone before it was read, goes to Litestar unchanged, body and all, so
every 400 and 413 keeps Litestar's wording. An exception the handler raises goes to
Litestar's exception handlers, which are outside this middleware. A handler whose route
uses anything this middleware does not do (guards, hooks, query or header parameters,
cookies, DTOs, caching, ...) is not taken over at all: :func:`plan_handlers` says which and why.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Litestar, Request, Response
from litestar.di import Provide
from litestar.enums import MediaType, ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.params import BodyKwarg, ParameterKwarg
from litestar.routes import HTTPRoute
from litestar.serialization import encode_json, get_serializer
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_CONSTRAINTS = (
    *("gt", "ge", "lt", "le", "multiple_of", "min_items", "max_items", "min_length", "max_length"),
    *("pattern", "lower_case", "upper_case", "const"),
)
"""A ``Body``'s or ``Parameter``'s own limits, which Litestar checks and a msgspec decoder does not see."""


@dataclass(frozen=True, slots=True)
class _Dependency:
    name: str
    provide: Provide
    arguments: tuple[str, ...]
    """Its own parameters: other dependencies' names, or ``request``."""


@dataclass(frozen=True, slots=True)
class DirectCall:
    """What calling one handler takes, worked out once at start-up."""

    handler: HTTPRouteHandler
    fn: Callable[..., Awaitable[Any]]
    path_parameters: tuple[str, ...]
    body: tuple[str, msgspec.json.Decoder[Any]] | None
    wants_request: bool
    dependencies: tuple[_Dependency, ...]
    """In an order where each comes after the ones it takes."""
    handler_dependencies: tuple[str, ...]
    request_class: type[Request[Any, Any, Any]]
    max_body_size: int | None
    status_code: int
    headers: tuple[tuple[bytes, bytes], ...]
    serializer: Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class Plans:
    direct: Mapping[HTTPRouteHandler, DirectCall]
    left_to_litestar: Mapping[str, str]
    """``METHOD /path``: why its requests go through Litestar's machinery."""


def plan_handlers(app: Litestar) -> Plans:
    direct: dict[HTTPRouteHandler, DirectCall] = {}
    left: dict[str, str] = {}
    seen: dict[HTTPRouteHandler, list[str]] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _) in route.route_handler_map.items():
            if method not in BODY_METHODS:
                continue
            where = f"{method} {route.path}"
            seen.setdefault(handler, []).append(where)
            plan = _plan(route, handler)
            if isinstance(plan, str):
                left[where] = plan
            else:
                direct[handler] = plan
    for handler, routes in seen.items():
        if len(routes) > 1 and handler in direct:  # one plan per handler: its path parameters differ per route
            del direct[handler]
            left.update(dict.fromkeys(routes, "one handler on more than one path or method"))
    return Plans(direct=direct, left_to_litestar=left)


def _plan(route: HTTPRoute, handler: HTTPRouteHandler) -> DirectCall | str:  # noqa: PLR0912
    if handler.has_sync_callable:
        return "synchronous handler"
    if handler.resolve_guards():
        return "guards"
    after_request = any(layer.after_request for layer in handler.ownership_layers)
    if handler.resolve_before_request() or after_request or handler.resolve_after_response():
        return "request or response hooks"
    if handler.cache or handler.background is not None:
        return "response cache or background task"
    if handler.resolve_response_headers() or handler.resolve_response_cookies():
        return "response headers or cookies"
    if handler.resolve_data_dto() or handler.resolve_return_dto():
        return "DTOs"
    if handler.resolve_response_class() is not Response or handler.media_type != MediaType.JSON:
        return "its answer is not a value Litestar encodes as JSON"  # a Response, bytes, text, a custom class
    if handler.status_code < 200 or handler.status_code in (204, 304):
        return "a status without a body"

    providers = handler.resolve_dependencies()
    path_types = {name: p.type for name, p in route.path_parameters.items()}
    path_parameters: list[str] = []
    body: tuple[str, msgspec.json.Decoder[Any]] | None = None
    wants_request = False
    handler_dependencies: list[str] = []
    for name, field in handler.parsed_fn_signature.parameters.items():
        kwarg = field.kwarg_definition
        if name in providers:
            handler_dependencies.append(name)
        elif name == "request":
            wants_request = True
        elif name == "data":
            if kwarg is not None and (not isinstance(kwarg, BodyKwarg) or kwarg.media_type != "application/json"):
                return "a body that is not JSON"
            if field.is_optional:
                return "an optional body"
            if kwarg is not None and _constrained(kwarg):
                return "limits on the body in its Body()"
            try:
                # The annotation as written: msgspec applies the Meta limits in it, and ignores the Body marker.
                body = (name, msgspec.json.Decoder(field.raw))
            except TypeError:
                return f"msgspec does not decode the body's type {field.annotation!r}"
        elif name in path_types:
            if path_types[name] is not str or field.annotation is not str:
                return f"path parameter {name!r} is not a string"
            if kwarg is not None and (
                not isinstance(kwarg, ParameterKwarg) or kwarg.query or kwarg.header or kwarg.cookie
            ):
                return f"parameter {name!r} is not taken from the path alone"
            if field.metadata or (kwarg is not None and _constrained(kwarg)):
                return f"limits on path parameter {name!r}"
            path_parameters.append(name)
        else:
            return f"parameter {name!r} is neither the body, the request, a path parameter nor a dependency"

    dependencies = _order_dependencies(handler_dependencies, providers)
    if isinstance(dependencies, str):
        return dependencies
    media_type = handler.media_type.value if isinstance(handler.media_type, MediaType) else handler.media_type
    return DirectCall(
        handler=handler,
        fn=handler.fn,
        path_parameters=tuple(path_parameters),
        body=body,
        wants_request=wants_request,
        dependencies=dependencies,
        handler_dependencies=tuple(handler_dependencies),
        request_class=handler.resolve_request_class(),
        max_body_size=handler.resolve_request_max_body_size(),
        status_code=handler.status_code,
        headers=((b"content-type", media_type.encode("latin-1")),),
        serializer=get_serializer(handler.resolve_type_encoders()),
    )


def _constrained(kwarg: object) -> bool:
    return any(getattr(kwarg, limit, None) is not None for limit in _CONSTRAINTS)


def _order_dependencies(names: list[str], providers: Mapping[str, Provide]) -> tuple[_Dependency, ...] | str:
    ordered: list[_Dependency] = []
    placed: set[str] = set()

    def place(name: str, path: tuple[str, ...]) -> str | None:
        if name in placed:
            return None
        if name in path:
            return f"dependency cycle through {name!r}"
        provide = providers[name]
        if provide.has_sync_generator_dependency or provide.has_async_generator_dependency:
            return f"dependency {name!r} is a generator"
        arguments = tuple(provide.parsed_fn_signature.parameters)
        for argument in arguments:
            if argument == "request":
                continue
            if argument not in providers:
                return f"dependency {name!r} takes {argument!r}, which is not a dependency"
            if problem := place(argument, (*path, name)):
                return problem
        ordered.append(_Dependency(name, provide, arguments))
        placed.add(name)
        return None

    for name in names:
        if problem := place(name, ()):
            return problem
    return tuple(ordered)


def direct_calls_middleware(plans: Callable[[], Mapping[HTTPRouteHandler, DirectCall]]) -> Callable[[ASGIApp], ASGIApp]:
    """``plans`` is read once per app, at its first request (the app is built after its middleware)."""

    def wrap(app: ASGIApp) -> ASGIApp:
        table: Mapping[HTTPRouteHandler, DirectCall] | None = None

        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            nonlocal table
            if table is None:
                table = plans()
            call = table.get(scope.get("route_handler"))  # type: ignore[arg-type]
            if call is None or scope["type"] != ScopeType.HTTP or scope["method"] not in BODY_METHODS:
                await app(scope, receive, send)
                return
            await _call(call, app, scope, receive, send)

        return middleware

    return wrap


async def _call(call: DirectCall, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    if call.body is None:
        # The handler reads its body itself, if at all: after its dependencies ran (the
        # gateway's import is refused without credentials before its body is sent).
        messages: list[ReceiveMessage] = []
        body: bytes | None = b""
    else:
        messages, body = await _read_body(receive, call.max_body_size, scope)
    kwargs: dict[str, Any] = {}
    if body is not None and call.body is not None:
        name, decoder = call.body
        try:
            kwargs[name] = decoder.decode(body)
        except (msgspec.DecodeError, msgspec.ValidationError):
            body = None  # Litestar decides whether it is a bad request, and words it
    if body is None:
        await app(scope, _replay(messages, receive), send)
        return

    request = call.request_class(scope, _replay(messages, receive), send)
    path_params = scope["path_params"]
    for name in call.path_parameters:
        kwargs[name] = path_params[name]
    if call.wants_request:
        kwargs["request"] = request
    if call.dependencies:
        resolved: dict[str, Any] = {}
        for dependency in call.dependencies:
            arguments = {a: request if a == "request" else resolved[a] for a in dependency.arguments}
            resolved[dependency.name] = await dependency.provide(**arguments)
        for name in call.handler_dependencies:
            kwargs[name] = resolved[name]

    data = await call.fn(**kwargs)
    if isinstance(data, Response | bytes | str):  # not what the handler declared: Litestar's full path
        response = await call.handler.to_response(app=scope["litestar_app"], data=data, request=request)
        await response(scope, receive, send)
        return
    content = encode_json(data, call.serializer)
    await send(
        {
            "type": "http.response.start",
            "status": call.status_code,
            "headers": [*call.headers, (b"content-length", str(len(content)).encode("latin-1"))],
        }
    )
    await send({"type": "http.response.body", "body": content, "more_body": False})


async def _read_body(receive: Receive, limit: int | None, scope: Scope) -> tuple[list[ReceiveMessage], bytes | None]:
    """The messages read, and the body when it all came within the route's size limit."""
    messages: list[ReceiveMessage] = []
    if limit is not None:
        for key, value in scope["headers"]:
            if key == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    return messages, None
                break
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":  # the client went away: Litestar answers that
            return messages, None
        if chunk := message.get("body", b""):
            chunks.append(chunk)
            size += len(chunk)
            if limit is not None and size > limit:
                return messages, None
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def _replay(messages: list[ReceiveMessage], receive: Receive) -> Receive:
    """``receive`` as if nothing had been read yet."""
    pending = list(messages)

    async def replay() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay
