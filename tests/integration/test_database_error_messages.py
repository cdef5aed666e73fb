"""What a partner reads when PostgreSQL refuses a statement: our words, never PostgreSQL's.

Before the fix, a value PostgreSQL refused (a NUL in text, a number past its column's range)
came back as ``a value cannot be stored: `` plus PostgreSQL's own message, and an integrity
violation nobody mapped (a unique, check or foreign key constraint) was a masked 500. The
handlers are the ones every service registers (``libs.common.http.errors``); the errors come
from a real PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from litestar import Litestar, post
from litestar.params import JSONBody
from litestar.testing import AsyncTestClient

from libs.common.http.errors import EXCEPTION_HANDLERS

LEAKS = ("Key (", "constraint", "violates", "DETAIL", "0x00", "UTF8", "out of range for type", "gadgets")


@pytest.fixture
async def client(fresh_database: str) -> AsyncIterator[AsyncTestClient[Any]]:
    conn = await asyncpg.connect(fresh_database)
    await conn.execute(
        """CREATE TABLE gadgets (
               id    integer PRIMARY KEY,
               name  text    NOT NULL CONSTRAINT gadgets_name_unique UNIQUE,
               grams integer NOT NULL CONSTRAINT gadgets_grams_positive CHECK (grams > 0)
           )"""
    )
    await conn.execute("INSERT INTO gadgets VALUES (1, 'radio', 900)")

    @post("/gadgets", status_code=201)
    async def add(data: JSONBody[dict[str, Any]]) -> None:
        # A connection of the request's own: the test client serves on an event loop of its own.
        request_conn = await asyncpg.connect(fresh_database)
        try:
            await request_conn.execute(
                "INSERT INTO gadgets VALUES ($1, $2, $3)", data["id"], data["name"], data["grams"]
            )
        finally:
            await request_conn.close()

    await conn.close()
    async with AsyncTestClient(Litestar([add], exception_handlers=EXCEPTION_HANDLERS)) as found:
        yield found


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"id": 2, "name": "radio", "grams": 5}, 409, "conflict"),  # unique
        ({"id": 1, "name": "speaker", "grams": 5}, 409, "conflict"),  # primary key
        ({"id": 3, "name": "speaker", "grams": -1}, 409, "conflict"),  # check
        ({"id": 4, "name": "nul\u0000byte", "grams": 5}, 400, "invalid_value"),
        ({"id": 2**31, "name": "big", "grams": 5}, 400, "invalid_value"),
    ],
)
async def test_a_refused_statement_is_answered_in_our_words(
    client: AsyncTestClient[Any], body: dict[str, Any], status: int, code: str
) -> None:
    response = await client.post("/gadgets", json=body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    for leak in LEAKS:
        assert leak not in response.text, leak
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    if status == 409:  # the constraint is in the log under this id, not in the answer
        assert set(body["details"]) == {"error_id"}
