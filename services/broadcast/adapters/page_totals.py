"""The total beside a keyset page, taken from the page's own statement where it can be.

A list's page carries ``count(*) OVER ()`` over the filtered rows before the cursor narrows
them, so any row of the page holds the total. An empty page needs another answer: an empty
first page is an empty list (0), and only a page past the last row (a cursor given) is counted
with a second statement. Counting a first page again would read the table a moment later than
the page, and a row committed in between would make a total of 1 beside no rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import asyncpg


async def page_total(rows: Sequence[asyncpg.Record], cursor: str | None, count: Callable[[], Awaitable[int]]) -> int:
    if rows:
        return int(rows[0]["total"])
    if cursor is None:
        return 0
    return int(await count())
