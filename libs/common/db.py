"""asyncpg connection pools, made in a composition root and passed in (never at import)."""

from __future__ import annotations

import asyncpg


async def create_pool(url: str, *, service: str, max_size: int = 10, min_size: int = 1) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        url,
        min_size=min_size,
        max_size=max_size,
        server_settings={"application_name": f"tinhso-{service}"},
        command_timeout=60,
    )
    assert pool is not None
    return pool


def describe_db_error(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]
