"""A service's command table becomes Litestar routes: each builds its handler's input from the
path and the body, resolves one dependency (``ctx``) and refuses a caller without the scope."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from libs.common.eventstore.context import CommandContext
from libs.common.eventstore.results import CommandResult
from libs.common.http.errors import EXCEPTION_HANDLERS
from libs.common.http.routes import CommandRoute, CommandTable
from libs.common.principal import Principal
from tests.unit.test_http_context import as_caller

B = TypeVar("B")


class Note(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    text: str


class ById(msgspec.Struct, Generic[B], frozen=True, kw_only=True):
    id: str
    body: B


class OnShelf(msgspec.Struct, frozen=True, kw_only=True):
    shelf_id: str
    book_id: str
    body: Note


class Retire(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    text: str


class Remove(msgspec.Struct, frozen=True, kw_only=True):
    code: str


class Books:
    """The handlers a composition root builds: each records the input it was given."""

    def __init__(self) -> None:
        self.seen: list[object] = []

    async def record(self, cmd: object, ctx: CommandContext) -> CommandResult:
        self.seen.append(cmd)
        return CommandResult(
            ids=[ctx.principal.subject if ctx.principal else ""], stream_id="s", version=1, event_ids=[]
        )


def everything() -> Note:
    return Note(text="everything")


Row = CommandRoute[Books]
TABLE = CommandTable[Books](
    "/commands",
    "books",
    [
        Row("POST", "/notes/record", "recordNote", Note, "books:write", lambda h: h.record),
        Row("POST", "/books/{book_id:str}/annotate", "annotateBook", ById[Note], "books:write", lambda h: h.record),
        Row(
            "POST",
            "/shelves/{shelf_id:str}/{book_id:str}/place",
            "placeBook",
            OnShelf,
            "books:write",
            lambda h: h.record,
        ),
        Row("POST", "/codes/{code:str}/retire", "retireCode", Retire, "books:write", lambda h: h.record, body=Note),
        Row("POST", "/codes/{code:str}/remove", "removeCode", Remove, "books:write", lambda h: h.record, body=None),
        Row("POST", "/all/seed", "seedAll", everything, "books:admin", lambda h: h.record, status=200, body=None),
        Row("POST", "/all/reset", "resetAll", Note, "books:write", lambda h: h.record, province_wide=True),
    ],
)

WRITER = Principal(subject="w", scopes=frozenset({"books:write"}))


def client(books: Books, principal: Principal = WRITER) -> TestClient[Litestar]:
    app = Litestar(
        [TABLE.router(lambda: books)], middleware=[as_caller(principal)], exception_handlers=EXCEPTION_HANDLERS
    )
    return TestClient(app)


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/commands/notes/record", {"text": "a"}, Note(text="a")),
        ("/commands/books/b1/annotate", {"text": "a"}, ById(id="b1", body=Note(text="a"))),
        ("/commands/shelves/s1/b1/place", {"text": "a"}, OnShelf(shelf_id="s1", book_id="b1", body=Note(text="a"))),
        ("/commands/codes/C1/retire", {"text": "old"}, Retire(code="C1", text="old")),
        ("/commands/codes/C1/remove", None, Remove(code="C1")),
    ],
)
def test_a_row_builds_its_handlers_input_from_the_path_and_the_body(
    path: str, body: dict[str, str] | None, expected: object
) -> None:
    books = Books()
    with client(books) as c:
        answer = c.post(path, json=body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["ids"] == ["w"]
    assert books.seen == [expected]


def test_a_row_with_a_built_input_and_its_own_status() -> None:
    books = Books()
    with client(books, Principal(subject="a", scopes=frozenset({"books:admin"}))) as c:
        answer = c.post("/commands/all/seed")
    assert answer.status_code == 200
    assert books.seen == [Note(text="everything")]


def test_a_caller_without_the_rows_scope_is_refused_before_the_handler_runs() -> None:
    books = Books()
    with client(books, Principal(subject="r", scopes=frozenset({"read"}))) as c:
        answer = c.post("/commands/notes/record", json={"text": "a"})
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"
    assert books.seen == []


def test_a_province_wide_row_refuses_a_caller_bound_to_a_unit() -> None:
    books = Books()
    centre = Principal(subject="c", scopes=frozenset({"books:write"}), unit_code="PAC")
    with client(books, centre) as c:
        answer = c.post("/commands/all/reset", json={"text": "a"})
    assert answer.status_code == 403
    assert answer.json()["code"] == "province_wide_command"
    assert books.seen == []


def test_a_body_the_input_does_not_know_is_refused_with_400_not_500() -> None:
    books = Books()
    with client(books) as c:
        unknown = c.post("/commands/notes/record", json={"text": "a", "extra": 1})
        not_json = c.post("/commands/books/b1/annotate", content=b"{", headers={"content-type": "application/json"})
    assert (unknown.status_code, not_json.status_code) == (400, 400)
    assert books.seen == []


def test_each_route_resolves_one_dependency() -> None:
    """Two independent dependencies cost a task group per request (ADR 0027): ``ctx`` alone."""
    app = Litestar([TABLE.router(Books)])
    operations = {row.operation_id for row in TABLE.routes}
    handlers = {handler for route in app.routes if isinstance(route, HTTPRoute) for handler in route.route_handlers}
    routes = [handler for handler in handlers if handler.operation_id in operations]
    assert len(routes) == len(TABLE.routes)
    for handler in routes:
        assert set(handler.resolve_dependencies()) == {"ctx"}, handler.operation_id
        assert "ctx" in handler.parsed_fn_signature.parameters


def test_the_openapi_document_names_each_rows_operation_path_body_and_status() -> None:
    document = Litestar([TABLE.router(Books)]).openapi_schema.to_schema()
    annotate = document["paths"]["/commands/books/{book_id}/annotate"]["post"]
    assert annotate["operationId"] == "annotateBook"
    assert annotate["tags"] == ["books"]
    assert [p["name"] for p in annotate["parameters"]] == ["book_id"]
    assert annotate["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Note"}
    assert "201" in annotate["responses"]
    seed = document["paths"]["/commands/all/seed"]["post"]
    assert "requestBody" not in seed
    assert "200" in seed["responses"]


def test_a_row_with_path_parameters_and_no_body_field_must_say_its_body() -> None:
    with pytest.raises(TypeError, match="say the body's type"):
        Row("POST", "/x/{code:str}", "x", Retire, "s", lambda h: h.record).body_type()


def test_a_row_whose_path_names_more_than_its_input_holds_fails_when_the_app_is_built() -> None:
    row = Row("POST", "/a/{x:str}/{y:str}", "two", ById[Note], "s", lambda h: h.record)
    with pytest.raises(TypeError, match="the path has"):
        CommandTable[Books]("/c", "t", [row]).router(Books)
