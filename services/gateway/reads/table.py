"""The gateway's read operations as tables: one row an operation, from which both its GraphQL
field (``graphql_fields``) and its ``/api/v1`` route (``rest_routes``) are built (ADR 0044).

A row names the operation once: its REST ``operationId``, the service call, the call's
arguments, the GraphQL field and the REST route, each with the answer it builds from what the
call returned, and the scope a caller needs (``read``). An argument (:class:`Arg`) is one
keyword of the call, declared with its annotation on each side that takes it: the GraphQL
argument's and the REST query parameter's. Paging is two arguments, ``first`` and ``after``:
handed to the call where the service pages (the registry's cursors), or kept for the answer
where the service answers a whole list (``Asked.page``, the metrics reports).
"""

from __future__ import annotations

import datetime
import enum
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, TypeVar

from litestar.openapi.spec import Example
from litestar.params import QueryParameter

from libs.common.principal import Principal
from services.gateway.graphql.offset_pages import OffsetPage, offset_page
from services.gateway.graphql.pages import DEFAULT_PAGE_SIZE, checked_first
from services.gateway.graphql.reading import READ

T = TypeVar("T")
H = TypeVar("H", bound=Callable[..., Any])


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
"""An argument without a default: both sides require it."""


def plain(value: Any) -> Any:
    """A GraphQL value as the services spell it: an enum by its value, anything else as is."""
    return value.value if isinstance(value, enum.Enum) else value


def same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Arg:
    """One keyword of a read's service call, as each side takes it."""

    name: str
    """The call's keyword; the REST query parameter's name, and (camelCased) the GraphQL one's."""
    graphql: Any = None
    """The GraphQL argument's annotation (``None``: the field does not take it)."""
    rest: Any = None
    """The REST query parameter's annotation (``None``: the route does not take it)."""
    default: Any = REQUIRED
    from_graphql: Callable[[Any], Any] = plain
    from_rest: Callable[[Any], Any] = same
    graphql_name: str | None = None
    """The GraphQL argument's Python name where it is not ``name`` (``indicator_code`` for ``code``)."""
    to_call: bool = True
    """False for paging over a whole answer: the answer reads it (``Asked.first``), not the call."""

    @property
    def graphql_parameter(self) -> str:
        return self.graphql_name or self.name

    def parameter(self, name: str, annotation: Any) -> inspect.Parameter:
        """The argument in a handler's signature, keyword-only (a required one may follow another)."""
        default = inspect.Parameter.empty if self.default is REQUIRED else self.default
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)


def signed(handler: H, parameters: list[inspect.Parameter], returns: Any, name: str) -> H:
    """``handler`` with ``parameters`` for its signature: strawberry and Litestar read what a
    handler takes from its signature, so a row's handler is parsed and documented as a
    hand-written one is."""
    handler.__signature__ = inspect.Signature(parameters, return_annotation=returns)  # type: ignore[attr-defined]
    handler.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": returns}
    handler.__name__ = handler.__qualname__ = name
    return handler


PAGE_SIZE = Arg(
    "first",
    graphql=int | None,
    rest=Annotated[int, QueryParameter(ge=1, le=200, examples=[Example(value=50)])],
    default=DEFAULT_PAGE_SIZE,
    from_graphql=checked_first,
    from_rest=checked_first,
)
"""A page's size, 1 to 200 (50 without it), for the call where the service pages."""


def rest_only(arg: Arg) -> Arg:
    return replace(arg, graphql=None, graphql_name=None)


@dataclass(frozen=True)
class Asked:
    """What one request asked: its caller and its arguments, as the call spells them."""

    principal: Principal
    values: dict[str, Any]

    @property
    def first(self) -> int | None:
        first = self.values.get("first")
        return first if isinstance(first, int) else None

    @property
    def after(self) -> str | None:
        after = self.values.get("after")
        return after if isinstance(after, str) else None

    @property
    def as_of(self) -> datetime.date | None:
        as_of = self.values.get("as_of")
        return as_of if isinstance(as_of, datetime.date) else None

    def page(self, items: Sequence[T]) -> OffsetPage[T]:
        """A whole answer's page that ``first`` and ``after`` ask for (50 from the start without them)."""
        return offset_page(items, self.first, self.after)


@dataclass(frozen=True)
class Answer:
    """What a side answers (``type``, its annotation) and how it is built from the call's result."""

    type: Any
    build: Callable[[Any, Asked], Any]


@dataclass(frozen=True)
class Field:
    """The GraphQL side: a root field of ``Query`` (its Python name; strawberry camelCases it)."""

    name: str
    answer: Answer
    description: str


@dataclass(frozen=True)
class Route:
    """The REST side: ``GET /api/v1<path>``."""

    path: str
    answer: Answer
    summary: str
    description: str | None = None
    media_type: str | None = None
    """Where the answer is not JSON (a CSV export)."""
    tag: str | None = None
    """Where the route is listed under another tag than its table's."""


@dataclass(frozen=True)
class Read:
    """One read operation: ``operation_id`` names it (the REST ``operationId``)."""

    operation_id: str
    call: Callable[..., Awaitable[Any]]
    """``call(caller, **arguments)``: the service's internal route (``adapters.*_api``)."""
    args: tuple[Arg, ...]
    field: Field | None
    route: Route | None
    scope: str = READ

    def graphql_args(self) -> list[Arg]:
        return [arg for arg in self.args if arg.graphql is not None]

    def rest_args(self) -> list[Arg]:
        return [arg for arg in self.args if arg.rest is not None]

    def call_arguments(self, asked: Asked) -> dict[str, Any]:
        return {arg.name: asked.values[arg.name] for arg in self.args if arg.to_call and arg.name in asked.values}


@dataclass(frozen=True)
class ReadTable:
    """An area's reads: ``name`` is its part of GraphQL's ``Query``, ``tag`` its REST routes' tag."""

    name: str
    tag: str
    rows: Sequence[Read] = field(default_factory=tuple)
