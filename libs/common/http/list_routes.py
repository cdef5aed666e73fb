"""Paged list routes from a table: ``GET <path>?<filters>&first=&after=`` answers one page of
what the row lists, one row a route.

The table declares once what its routes share: the filters, as a Struct whose fields (each with
a default) become every route's optional query parameters, typed as the Struct says (a date is
parsed and documented as one); the paging, ``first`` (its default and its bound) and ``after``
(a cursor the read understands); and the read. A row is (path, operation id, the answer's type,
what it lists). As for commands (``routes``) and batched queries (``query_routes``), each row
becomes an ordinary Litestar route under a ``Router``, documented in the service's OpenAPI,
with one dependency, ``reader`` (which refuses a caller without one of the table's scopes).

The read gets what the composition root gave the router (a pool), the row's ``lists``, the
filters decoded into their Struct and the :class:`Page`. A ``first`` outside its bound is a
400 ``invalid_query``, before the read runs.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, get_type_hints

import msgspec
from litestar import Router, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromQuery

from libs.common.errors import InvalidInputError
from libs.common.http.context import Reader, reader
from libs.common.http.routes import snake_name

__all__ = ["ListQuery", "ListQueryTable", "Page"]

Q = TypeVar("Q")
F = TypeVar("F", bound=msgspec.Struct)
K = TypeVar("K")

_FROM_QUERY: Any = FromQuery
"""Subscripted with each filter's type, known only when the table is read."""


class Page(msgspec.Struct, frozen=True, kw_only=True):
    """Which page: at most ``first`` items after the ``after`` cursor (from the start without)."""

    first: int
    after: str | None = None


@dataclass(frozen=True)
class ListQuery(Generic[K]):
    """One list route: it answers ``answer``, a page of what ``lists`` names to the table's read."""

    path: str
    operation_id: str
    answer: Any
    lists: K
    description: str | None = None


@dataclass(frozen=True)
class ListQueryTable(Generic[Q, F, K]):
    path: str
    tag: str
    scopes: tuple[str, ...]
    """The scopes that may read; a caller needs one of them."""
    filters: type[F]
    """Every field has a default (``None``: not filtered), so each query parameter is optional."""
    read: Callable[[Q, K, F, Page], Awaitable[Any]]
    routes: Sequence[ListQuery[K]]
    first: int = 50
    """``first``'s default; the bound is 1 to ``max_first``."""
    max_first: int = 500

    def __post_init__(self) -> None:
        fields, defaults = self.filters.__struct_fields__, self.filters.__struct_defaults__
        if len(defaults) != len(fields):
            raise TypeError(
                f"{self.filters.__name__}: every filter needs a default, {fields[: -len(defaults) or None]} have none"
            )

    def router(self, source: Callable[[], Q]) -> Router:
        """``source``: what each read is given, as the composition root made it."""
        dependency = reader(*self.scopes)
        return Router(
            self.path,
            route_handlers=[self._route(row, source) for row in self.routes],
            tags=[self.tag],
            dependencies={"reader": dependency},
        )

    def _route(self, row: ListQuery[K], source: Callable[[], Q]) -> HTTPRouteHandler:
        read, make, lists, bound = self.read, self.filters, row.lists, self.max_first
        names = make.__struct_fields__

        async def route(reader: Any, first: int, after: str | None, **query: Any) -> Any:
            if not 1 <= first <= bound:
                raise InvalidInputError(f"first must be between 1 and {bound}", code="invalid_query")
            return await read(source(), lists, make(**{n: query[n] for n in names}), Page(first=first, after=after))

        # What Litestar reads from the signature: the reader, each filter as an optional query
        # parameter of its own type, then the paging.
        hints = get_type_hints(make)
        defaults = dict(zip(names, make.__struct_defaults__, strict=True))
        parameters = [
            inspect.Parameter("reader", inspect.Parameter.KEYWORD_ONLY, annotation=Reader),
            *(
                inspect.Parameter(
                    n, inspect.Parameter.KEYWORD_ONLY, annotation=_FROM_QUERY[hints[n]], default=defaults[n]
                )
                for n in names
            ),
            inspect.Parameter("first", inspect.Parameter.KEYWORD_ONLY, annotation=FromQuery[int], default=self.first),
            inspect.Parameter(
                "after", inspect.Parameter.KEYWORD_ONLY, annotation=_FROM_QUERY[str | None], default=None
            ),
        ]
        route.__signature__ = inspect.Signature(parameters, return_annotation=row.answer)  # type: ignore[attr-defined]
        route.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": row.answer}
        route.__name__ = route.__qualname__ = snake_name(row.operation_id)
        return get(row.path, operation_id=row.operation_id, description=row.description)(route)
