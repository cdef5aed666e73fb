"""A service's list table becomes Litestar routes: the table's typed filters and paging as
optional query parameters, ``first`` bounded, a caller without a read scope refused, one
dependency (``reader``) per route."""

from __future__ import annotations

import datetime

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from libs.common.http.errors import EXCEPTION_HANDLERS
from libs.common.http.list_routes import ListQuery, ListQueryTable, Page
from libs.common.principal import Principal
from tests.unit.test_http_context import as_caller


class Book(msgspec.Struct, frozen=True):
    book_id: str
    shelf: str
    bought_on: datetime.date


class BookPage(msgspec.Struct, frozen=True):
    items: list[Book]
    has_next_page: bool


class BookQuery(msgspec.Struct, frozen=True, kw_only=True):
    shelf: str | None = None
    bought_before: datetime.date | None = None


BOOKS = [Book(f"b{n}", "old" if n < 3 else "new", datetime.date(2020 + n, 1, 1)) for n in range(5)]


async def books(source: list[Book], kind: str, query: BookQuery, page: Page) -> BookPage:
    kept = [
        b
        for b in source
        if kind in {"all", b.shelf}
        and (query.shelf is None or b.shelf == query.shelf)
        and (query.bought_before is None or b.bought_on < query.bought_before)
        and (page.after is None or b.book_id > page.after)
    ]
    return BookPage(items=kept[: page.first], has_next_page=len(kept) > page.first)


TABLE = ListQueryTable[list[Book], BookQuery, str](
    "/",
    "books",
    ("read",),
    BookQuery,
    books,
    [
        ListQuery("/books/list", "listBooks", BookPage, "all"),
        ListQuery("/old-books/list", "listOldBooks", BookPage, "old", description="The old shelf."),
    ],
    first=2,
    max_first=3,
)


def client(scopes: set[str]) -> TestClient[Litestar]:
    caller = Principal(subject="r", scopes=frozenset(scopes))
    app = Litestar([TABLE.router(lambda: BOOKS)], middleware=[as_caller(caller)], exception_handlers=EXCEPTION_HANDLERS)
    return TestClient(app)


def _ids(answer: dict[str, list[dict[str, str]]]) -> list[str]:
    return [b["book_id"] for b in answer["items"]]


def test_each_row_lists_its_own_kind_filtered_by_typed_parameters_and_paged() -> None:
    with client({"read"}) as c:
        first = c.get("/books/list")
        after = c.get("/books/list", params={"after": "b1", "first": 3})
        before = c.get("/books/list", params={"bought_before": "2022-06-01", "first": 3})
        old = c.get("/old-books/list", params={"first": 3})
        none = c.get("/old-books/list", params={"shelf": "new"})
    assert (_ids(first.json()), first.json()["has_next_page"]) == (["b0", "b1"], True)
    assert _ids(after.json()) == ["b2", "b3", "b4"]
    assert _ids(before.json()) == ["b0", "b1", "b2"]
    assert _ids(old.json()) == ["b0", "b1", "b2"]
    assert _ids(none.json()) == []


def test_a_first_outside_its_bound_or_a_malformed_filter_is_a_coded_400() -> None:
    with client({"read"}) as c:
        answers = [
            c.get("/books/list", params={"first": 4}),
            c.get("/books/list", params={"first": 0}),
            c.get("/books/list", params={"first": "many"}),
            c.get("/books/list", params={"bought_before": "yesterday"}),
        ]
    assert [a.status_code for a in answers] == [400, 400, 400, 400]
    assert answers[0].json()["code"] == "invalid_query"
    assert answers[0].json()["message"] == "first must be between 1 and 3"


def test_a_caller_without_a_read_scope_is_refused() -> None:
    with client({"books:write"}) as c:
        answer = c.get("/books/list")
    assert answer.status_code == 403
    assert answer.json()["details"] == {"scope": "read"}


def test_each_route_resolves_one_dependency_and_documents_every_filter() -> None:
    app = Litestar([TABLE.router(lambda: BOOKS)])
    document = app.openapi_schema.to_schema()
    old = document["paths"]["/old-books/list"]["get"]
    assert (old["operationId"], old["description"], old["tags"]) == ("listOldBooks", "The old shelf.", ["books"])
    parameters = {p["name"]: p for p in old["parameters"]}
    assert list(parameters) == ["shelf", "bought_before", "first", "after"]
    assert not any(p["required"] for p in parameters.values())
    assert parameters["bought_before"]["schema"]["oneOf"][0] == {"type": "string", "format": "date"}
    assert parameters["first"]["schema"] == {"type": "integer", "default": 2}
    handler = app.route_handler_method_map["/old-books/list"]["GET"]
    assert set(handler.resolve_dependencies()) == {"reader"}


def test_a_filter_without_a_default_is_refused_when_the_table_is_made() -> None:
    class Strict(msgspec.Struct, frozen=True, kw_only=True):
        shelf: str

    with pytest.raises(TypeError, match="every filter needs a default"):
        ListQueryTable[list[Book], Strict, str]("/", "books", ("read",), Strict, books, [])  # type: ignore[arg-type]
