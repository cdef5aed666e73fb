"""A service's batched query table becomes Litestar routes: the keys parsed by the table's own
rule, a caller without a read scope refused, one dependency (``reader``) per route."""

from __future__ import annotations

import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from libs.common.errors import InvalidInputError
from libs.common.http.errors import EXCEPTION_HANDLERS
from libs.common.http.query_routes import KeysQuery, KeysQueryTable
from libs.common.principal import Principal
from tests.unit.test_http_context import as_caller


class Shelf(msgspec.Struct, frozen=True):
    shelf_id: str
    books: int


SHELVES = {"s1": Shelf("s1", 3), "s2": Shelf("s2", 0)}


def keys(raw: str, what: str) -> list[str]:
    found = [part for part in raw.split(",") if part]
    if not found:
        raise InvalidInputError(f"give at least one {what}", code="invalid_query")
    return found


async def shelves(source: dict[str, Shelf], ids: list[str]) -> list[Shelf]:
    return [source[i] for i in ids if i in source]


TABLE = KeysQueryTable[dict[str, Shelf]](
    "/",
    "shelves",
    ("read", "shelves:write"),
    keys,
    [
        KeysQuery("/shelves", "shelvesByIds", "ids", list[Shelf], shelves),
        KeysQuery("/shelves/by-room", "shelvesByRooms", "room_ids", list[Shelf], shelves, description="By room."),
    ],
)


def client(scopes: set[str]) -> TestClient[Litestar]:
    caller = Principal(subject="r", scopes=frozenset(scopes))
    app = Litestar(
        [TABLE.router(lambda: SHELVES)], middleware=[as_caller(caller)], exception_handlers=EXCEPTION_HANDLERS
    )
    return TestClient(app)


def test_a_reader_gets_the_answers_of_the_keys_in_the_order_asked() -> None:
    with client({"shelves:write"}) as c:
        answer = c.get("/shelves", params={"ids": "s2,x,s1"})
    assert answer.status_code == 200
    assert answer.json() == [{"shelf_id": "s2", "books": 0}, {"shelf_id": "s1", "books": 3}]


def test_the_keys_are_parsed_by_the_tables_rule_naming_one_key() -> None:
    with client({"read"}) as c:
        empty = c.get("/shelves/by-room", params={"room_ids": ","})
        missing = c.get("/shelves/by-room")
    assert empty.status_code == 400
    assert empty.json()["message"] == "give at least one room id"
    assert missing.status_code == 400


def test_a_caller_without_a_read_scope_is_refused() -> None:
    with client({"other:write"}) as c:
        answer = c.get("/shelves", params={"ids": "s1"})
    assert answer.status_code == 403
    assert answer.json()["details"] == {"scopes": ["read", "shelves:write"]}


def test_each_route_resolves_one_dependency_and_is_documented() -> None:
    app = Litestar([TABLE.router(lambda: SHELVES)])
    document = app.openapi_schema.to_schema()
    rooms = document["paths"]["/shelves/by-room"]["get"]
    assert (rooms["operationId"], rooms["description"], rooms["tags"]) == ("shelvesByRooms", "By room.", ["shelves"])
    assert [(p["name"], p["in"], p["required"]) for p in rooms["parameters"]] == [("room_ids", "query", True)]
    handler = app.route_handler_method_map["/shelves/by-room"]["GET"]
    assert set(handler.resolve_dependencies()) == {"reader"}
