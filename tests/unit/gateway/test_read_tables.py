"""Read tables (``services/gateway/reads``, ADR 0044): one row is both a GraphQL field and a
REST route, each calling the service with the arguments as the service spells them, paging the
answer the row's way, and refusing a caller without the row's scope before the call."""

from __future__ import annotations

import enum
from typing import Annotated, Any, TypeAlias, cast

import msgspec
import strawberry
from litestar import Litestar
from litestar.params import FromQuery, QueryParameter
from litestar.testing import AsyncTestClient

from libs.common.errors import DomainError
from libs.common.http.errors import domain_error_handler
from libs.common.principal import Principal
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.reads.graphql_fields import query_type
from services.gateway.reads.metrics import METRICS_READS
from services.gateway.reads.rest_routes import read_router
from services.gateway.reads.table import Answer, Arg, Field, Read, ReadTable, Route
from services.gateway.rest.callers import Callers

Text: TypeAlias = FromQuery[str]
Cursor: TypeAlias = FromQuery[str | None]
PageSize: TypeAlias = Annotated[int, QueryParameter(ge=1)]

READER = Principal(subject="reader", partner="reader", scopes=frozenset({"read"}))
STRANGER = Principal(subject="stranger", partner="stranger", scopes=frozenset({"metrics:write"}))


@strawberry.enum
class Level(enum.Enum):
    DISTRICT = "district"
    COMMUNE = "commune"


class ThingPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[str]
    total_count: int
    end_cursor: str | None


class Service:
    """The service behind the row: it answers every code it is asked for, and remembers the asks."""

    def __init__(self) -> None:
        self.asked: list[dict[str, Any]] = []

    async def things(self, caller: object, **arguments: Any) -> list[str]:
        self.asked.append(arguments)
        return [f"{code}@{arguments['level']}" for code in arguments["codes"]]


def _table(service: Service) -> ReadTable:
    return ReadTable(
        "ThingQuery",
        "things",
        (
            Read(
                "listThings",
                service.things,
                (
                    Arg("level", graphql=Level, rest=Text),
                    Arg("codes", graphql=list[str], rest=Text, from_rest=lambda raw: raw.split(",")),
                    Arg("first", graphql=int | None, rest=PageSize, default=50, to_call=False),
                    Arg("after", graphql=str | None, rest=Cursor, default=None, to_call=False),
                ),
                Field("things", Answer(list[str], lambda found, asked: asked.page(found).items), "Things."),
                Route(
                    "/things",
                    Answer(ThingPage, lambda found, asked: _page(asked.page(found))),
                    "Things",
                ),
            ),
        ),
    )


def _page(page: Any) -> ThingPage:
    return ThingPage(items=page.items, total_count=page.total_count, end_cursor=page.end_cursor)


class Caller:
    """The services as one caller: each read answers nothing, and is remembered."""

    def __init__(self) -> None:
        self.reads: list[tuple[str, str, dict[str, str]]] = []

    async def get(self, service: str, path: str, params: dict[str, str], answer: object) -> list[object]:
        self.reads.append((service, path, dict(params)))
        return []


class Services:
    def __init__(self) -> None:
        self.made = Caller()

    def caller(self, principal: Principal, stats: object) -> Caller:
        return self.made


class Security:
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    async def admit(self, authorization: str | None, scope: object) -> Principal:
        return self.principal


def _gateway(services: Services) -> Gateway:
    nothing: Any = None  # what a read's route does not reach: the live feed, the limits
    return Gateway(services=cast(Any, services), hub=nothing, directory=nothing, limits=nothing)


GATEWAY = _gateway(Services())


async def _graphql(service: Service, principal: Principal, query: str) -> Any:
    schema = strawberry.Schema(query=query_type(_table(service)))
    return await schema.execute(query, context_value=GatewayContext.create(GATEWAY, principal))


def _app(service: Service, principal: Principal) -> Litestar:
    app = Litestar([read_router(_table(service))], exception_handlers={DomainError: domain_error_handler})
    app.state.callers = Callers(GATEWAY, cast(Any, Security(principal)))
    return app


async def test_a_row_is_a_graphql_field_that_calls_the_service_as_it_spells_the_arguments() -> None:
    service = Service()
    result = await _graphql(service, READER, '{ things(level: COMMUNE, codes: ["a", "b", "c"], first: 2) }')
    assert result.errors is None
    assert result.data == {"things": ["a@commune", "b@commune"]}
    assert service.asked == [{"level": "commune", "codes": ["a", "b", "c"]}]


async def test_the_same_row_is_a_rest_route_that_calls_the_service_alike() -> None:
    service = Service()
    async with AsyncTestClient(_app(service, READER)) as client:
        response = await client.get("/api/v1/things", params={"level": "commune", "codes": "a,b,c", "first": 2})
        schema = client.app.openapi_schema.to_schema()
    assert response.status_code == 200, response.text
    assert response.json()["items"] == ["a@commune", "b@commune"]
    assert response.json()["total_count"] == 3
    assert service.asked == [{"level": "commune", "codes": ["a", "b", "c"]}]
    operation = schema["paths"]["/api/v1/things"]["get"]
    assert operation["operationId"] == "listThings"
    assert [p["name"] for p in operation["parameters"]] == ["level", "codes", "first", "after"]


async def test_a_caller_without_the_rows_scope_is_refused_on_both_sides_before_the_call() -> None:
    service = Service()
    result = await _graphql(service, STRANGER, '{ things(level: COMMUNE, codes: ["a"]) }')
    assert result.errors is not None
    assert result.errors[0].message == "this needs the scope 'read'"
    async with AsyncTestClient(_app(service, STRANGER)) as client:
        response = await client.get("/api/v1/things", params={"level": "commune", "codes": "a"})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert service.asked == []


async def test_the_indicator_catalogue_is_listed_whole_without_codes() -> None:
    """Failed before the fix: ``GET /api/v1/indicators`` without ``codes`` split a missing
    parameter and answered 500."""
    services = Services()
    app = Litestar([read_router(METRICS_READS)], exception_handlers={DomainError: domain_error_handler})
    app.state.callers = Callers(_gateway(services), cast(Any, Security(READER)))
    async with AsyncTestClient(app) as client:
        whole = await client.get("/api/v1/indicators")
        some = await client.get("/api/v1/indicators", params={"codes": "a.b, c.d"})
    assert (whole.status_code, some.status_code) == (200, 200), whole.text
    assert services.made.reads == [("metrics", "/indicators", {}), ("metrics", "/indicators", {"codes": "a.b,c.d"})]
