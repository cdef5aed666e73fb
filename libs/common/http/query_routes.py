"""Batched query routes from a table: ``GET <path>?<keys>=a,b,c`` answers the items of those keys,
one row a route (the gateway's DataLoaders ask this way).

A row is (path, operation id, the query parameter naming the keys, the answer's type, the
read). As for commands (``routes``), each row becomes an ordinary Litestar route under a
``Router``, documented in the service's OpenAPI, with one dependency, ``reader``
(:func:`~libs.common.http.context.reader`, which refuses a caller without one of the table's
scopes); the table's ``parse`` turns the parameter into the keys (bounded, each service's own),
and the read gets what the composition root gave the router (a pool, a query object) and the
keys.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from litestar import Router, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromQuery

from libs.common.http.context import Reader, reader
from libs.common.http.routes import snake_name

__all__ = ["KeysQuery", "KeysQueryTable"]

Q = TypeVar("Q")

Parse = Callable[[str, str], list[str]]
"""``(raw, what) -> keys``: ``what`` names one key in a refusal ("unit id" for ``unit_ids``)."""


@dataclass(frozen=True)
class KeysQuery(Generic[Q]):
    """One batched query route: ``read(source, keys)`` answers ``answer``."""

    path: str
    operation_id: str
    keys: str
    answer: Any
    read: Callable[[Q, list[str]], Awaitable[Any]]
    description: str | None = None

    @property
    def what(self) -> str:
        """One key, as a refusal names it: ``unit_ids`` -> ``unit id``."""
        return self.keys.removesuffix("s").replace("_", " ")


@dataclass(frozen=True)
class KeysQueryTable(Generic[Q]):
    path: str
    tag: str
    scopes: tuple[str, ...]
    """The scopes that may read; a caller needs one of them."""
    parse: Parse
    routes: Sequence[KeysQuery[Q]]

    def router(self, source: Callable[[], Q]) -> Router:
        """``source``: what each read is given, as the composition root made it."""
        dependency = reader(*self.scopes)
        return Router(
            self.path,
            route_handlers=[_route(row, source, self.parse) for row in self.routes],
            tags=[self.tag],
            dependencies={"reader": dependency},
        )


def _route(row: KeysQuery[Q], source: Callable[[], Q], parse: Parse) -> HTTPRouteHandler:
    name, what, read = row.keys, row.what, row.read

    async def route(reader: Any, **query: str) -> Any:
        return await read(source(), parse(query[name], what))

    # What Litestar reads from the signature: the one query parameter and the reader.
    parameters = [
        inspect.Parameter("reader", inspect.Parameter.KEYWORD_ONLY, annotation=Reader),
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=FromQuery[str]),
    ]
    route.__signature__ = inspect.Signature(parameters, return_annotation=row.answer)  # type: ignore[attr-defined]
    route.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": row.answer}
    route.__name__ = route.__qualname__ = snake_name(row.operation_id)
    return get(row.path, operation_id=row.operation_id, description=row.description)(route)
