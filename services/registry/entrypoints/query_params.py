"""What the registry's query routes share: the runtime, comma-separated id lists and their
bounds (one request asks for at most 1,000), the page size's bound."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg
from litestar.di import NamedDependency

from libs.common.db import Conn
from libs.common.errors import InvalidInputError
from libs.common.runtime import ServiceRuntime

MAX_PAGE = 500
MAX_BATCH = 1000

Runtime = NamedDependency[ServiceRuntime]

T = TypeVar("T")


def pooled(read: Callable[[Conn, list[str]], Awaitable[T]]) -> Callable[[asyncpg.Pool, list[str]], Awaitable[T]]:
    """A read of the keys on a connection, as a batched query row's read (one from the pool)."""

    async def on_pool(pool: asyncpg.Pool, keys: list[str]) -> T:
        async with pool.acquire() as conn:
            return await read(conn, keys)

    return on_pool


def id_list(raw: str, what: str = "id", *, keep_duplicates: bool = False) -> list[str]:
    """The items of a comma-separated list, in order (duplicates dropped unless kept)."""
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if not keep_duplicates:
        items = list(dict.fromkeys(items))
    if not items:
        raise InvalidInputError(f"give at least one {what}", code="invalid_query")
    if len(items) > MAX_BATCH:
        raise InvalidInputError(f"at most {MAX_BATCH} {what}s per request", code="invalid_query")
    return items
