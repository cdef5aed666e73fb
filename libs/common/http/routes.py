"""Command routes from a table: a service declares each command as one row, and
:func:`CommandTable.router` makes the rows Litestar route handlers.

A row is (method, path, operation id, input, scope, handler, status). The route it makes is an
ordinary Litestar route under a ``Router``: Litestar routes the request, parses the path's
parameters and the JSON body (unknown fields refused by the body's Struct), resolves the one
dependency, ``ctx`` (:func:`~libs.common.http.context.command_context`, which refuses a caller
without the scope before the body is read), and documents the route in the service's OpenAPI.
The route then builds the handler's input from the path and the body and calls the handler the
composition root built once.

The handlers are not a second dependency: Litestar resolves two independent dependencies of a
route concurrently, in a task group per request (ADR 0027), so the router takes them from the
composition root (``OnPool``) and each route resolves ``ctx`` alone (ADR 0034).

The input is built from the row's ``input``:

- no path parameter: the body is the input (``input`` is the body's Struct);
- an input with a ``body`` field: the path's parameters fill its other fields, by name where
  the names agree and else in order (``ById(id=..., body=...)`` from ``/{team_id}/disband``);
- any other input (``body=`` given in the row): the path's parameters and the body's fields
  are its keyword arguments; ``body=None``: a route without a body.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, get_args, get_origin, get_type_hints

import msgspec
from litestar import HttpMethod, Router
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, JSONBody

from libs.common.eventstore.context import CommandContext
from libs.common.eventstore.results import CommandResult
from libs.common.http.context import Ctx, command_context

__all__ = ["DERIVED", "CommandRoute", "CommandTable"]

H = TypeVar("H")

Handler = Callable[[Any, CommandContext], Awaitable[Any]]
"""``async def x(self, cmd: XInput, ctx: CommandContext) -> CommandResult``, bound (ADR 0031); a
row whose answer is another Struct (a batch's per-item results) says so in ``returns``."""

_PARAM = re.compile(r"{(\w+)(?::\w+)?}")
_JSON_BODY: Any = JSONBody
"""Subscripted with a row's body type, known only when the table is read."""


class _Derived:
    def __repr__(self) -> str:
        return "DERIVED"


DERIVED: Any = _Derived()
"""A row's ``body`` when the input says what it is (see the module's docstring)."""


@dataclass(frozen=True)
class CommandRoute(Generic[H]):
    """One command route: ``handler`` picks the bound handler out of the service's handlers."""

    method: str
    path: str
    operation_id: str
    input: Callable[..., Any]
    scope: str
    handler: Callable[[H], Handler]
    status: int = 201
    province_wide: bool = False
    """A command that changes the whole province: refused to a caller bound to a unit (ADR 0021)."""
    body: Any = DERIVED
    description: str | None = None
    returns: Any = CommandResult
    """What the handler answers: ``CommandResult`` for a command, or a batch's own result Struct."""

    def params(self) -> list[str]:
        return _PARAM.findall(self.path)

    def body_type(self) -> Any:
        """The request body's type, or ``None`` for a route without one."""
        if self.body is not DERIVED:
            return self.body
        fields = _fields(self.input)
        if "body" in fields:
            return fields["body"]
        if not self.params():
            return self.input
        raise TypeError(f"{self.operation_id}: say the body's type (body=...) of an input without a body field")

    def build_input(self) -> Callable[[dict[str, str], Any], Any]:
        """From the path's parameters and the decoded body to the handler's input."""
        params, body = self.params(), self.body_type()
        make = self.input
        if not params and body is make:
            return lambda _, data: data
        fields = [name for name in _fields(make) if name != "body"]
        rest = [name for name in fields if name not in params]
        if len(params) > len(fields):
            raise TypeError(f"{self.operation_id}: the path has {params}, the input only {fields}")
        names = {p: p if p in fields else rest.pop(0) for p in params}
        if "body" in _fields(make):
            return lambda path, data: make(**{names[p]: v for p, v in path.items()}, body=data)
        if body is None:
            return lambda path, _: make(**{names[p]: v for p, v in path.items()})
        return lambda path, data: make(**{names[p]: v for p, v in path.items()}, **msgspec.structs.asdict(data))


@dataclass(frozen=True)
class CommandTable(Generic[H]):
    """A service's command routes under one path and tag; ``router`` makes them Litestar's."""

    path: str
    tag: str
    routes: Sequence[CommandRoute[H]] = field(default_factory=list)

    def router(self, handlers: Callable[[], H]) -> Router:
        """``handlers``: the service's handlers, built once on the runtime's pool (``OnPool``)."""
        return Router(self.path, route_handlers=[_route(row, handlers) for row in self.routes], tags=[self.tag])


def _fields(make: Callable[..., Any]) -> dict[str, Any]:
    """The input's fields and their types, a generic Struct's (``ById[Body]``) resolved."""
    origin = get_origin(make) or make
    if not (isinstance(origin, type) and issubclass(origin, msgspec.Struct)):
        return {name: p.annotation for name, p in inspect.signature(make).parameters.items()}
    hints = get_type_hints(origin)
    bound = dict(zip(getattr(origin, "__parameters__", ()), get_args(make), strict=False))
    return {name: bound.get(hints[name], hints[name]) for name in origin.__struct_fields__}


def _route(row: CommandRoute[H], handlers: Callable[[], H]) -> HTTPRouteHandler:
    params, body = row.params(), row.body_type()
    build, pick = row.build_input(), row.handler

    async def route(ctx: CommandContext, data: Any = None, **path: str) -> Any:
        return await pick(handlers())(build(path, data), ctx)

    # Litestar reads what a route takes from its signature: the path's parameters, the body's
    # Struct and ``ctx``, so a row's route is documented and parsed as a hand-written one is.
    parameters = [inspect.Parameter(p, inspect.Parameter.KEYWORD_ONLY, annotation=FromPath[str]) for p in params]
    if body is not None:
        parameters.append(inspect.Parameter("data", inspect.Parameter.KEYWORD_ONLY, annotation=_JSON_BODY[body]))
    parameters.append(inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY, annotation=Ctx))
    route.__signature__ = inspect.Signature(parameters, return_annotation=row.returns)  # type: ignore[attr-defined]
    route.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": row.returns}
    route.__name__ = route.__qualname__ = snake_name(row.operation_id)
    return HTTPRouteHandler(
        row.path,
        http_method=HttpMethod(row.method),
        operation_id=row.operation_id,
        status_code=row.status,
        description=row.description,
        dependencies={"ctx": command_context(row.scope, province_wide=row.province_wide)},
    )(route)


def snake_name(name: str) -> str:
    """``recordProgramme`` -> ``record_programme``: the route's name, its OpenAPI summary's source."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
