"""Public REST under /api/v1 for partners who do not use GraphQL: bulk import and simple reads.

Each route authenticates the caller and charges its rate limit like /graphql does, before any
body is read (the import reads its own, after its ``caller`` dependency), then calls the owning
service as that caller. Reads need the ``read`` scope; the import is the registry's
own ``POST /commands/import`` (it decides ``registry:write`` and ownership per item).
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.openapi.spec import Example, OpenAPIMediaType, Reference, RequestBody, Schema, SecurityScheme
from litestar.openapi.spec.operation import Operation
from litestar.params import FromPath, FromQuery, QueryParameter

from contracts.api.metrics import IndicatorValueView
from libs.common.errors import NotFoundError
from libs.common.http.errors import ErrorBody
from libs.common.principal import Principal
from services.gateway.adapters import broadcast_api, metrics_api, registry_api
from services.gateway.adapters.internal import ServiceCaller, ServiceError, ServiceUnavailableError
from services.gateway.graphql.context import Gateway, GatewayContext
from services.gateway.graphql.pages import checked_first
from services.gateway.graphql.scalars import PERIOD_PATTERN
from services.gateway.rest.broadcast_shapes import ProgrammePage
from services.gateway.rest.registry_public import ImportReport, UnitView, public
from services.gateway.rest.unit_tree import PRODUCER_AS_OF
from services.gateway.security.wiring import GatewaySecurity

log = logging.getLogger(__name__)

Req = Request[Any, Any, Any]

BEARER = "bearerAuth"
"""The OpenAPI security scheme every ``/api/v1`` operation requires."""
SECURITY_SCHEMES: dict[str, SecurityScheme | Reference] = {
    BEARER: SecurityScheme(
        type="http",
        scheme="bearer",
        description=(
            "`Authorization: Bearer <credential>`: a partner's API key (`tsk_…`, issued with "
            "`tinhso partners create`) or a JWT from the province's identity provider."
        ),
    )
}

IMPORT_EXAMPLE = [
    {
        "kind": "register_unit",
        "code": "01234",
        "name": "Xã Nam Mẫu",
        "level": "commune",
        "parent_code": "060",
        "valid_from": "2020-01-01",
    },
    {"kind": "register_radio_station", "unit_code": "01234", "technology": "IP", "installed_on": "2022-05-01"},
]


@dataclasses.dataclass
class ImportOperation(Operation):
    """The import reads its body itself (JSON array or NDJSON); this documents it."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="Up to 10,000 items: a JSON array, or one JSON object per line (NDJSON).",
            content={
                "application/json": OpenAPIMediaType(
                    schema=Schema(type=None, description="[{kind, ...fields}]"),
                    examples={"units and a station": Example(value=IMPORT_EXAMPLE)},
                ),
                "application/x-ndjson": OpenAPIMediaType(schema=Schema(description="one item per line")),
            },
        )


def service_error(_: Req, exc: ServiceError) -> Response[ErrorBody]:
    """A service's refusal keeps its status and code: the partner sees what the service said."""
    return Response(ErrorBody(exc.code, exc.message, exc.details), status_code=exc.status)


def service_unavailable(_: Req, exc: ServiceUnavailableError) -> Response[ErrorBody]:
    log.warning("REST call failed: %s", exc)
    return Response(
        ErrorBody("service_unavailable", "an internal service is unavailable; try again shortly"), status_code=503
    )


class CallerFactory:
    def __init__(self, gateway: Gateway, security: GatewaySecurity) -> None:
        self.gateway = gateway
        self.security = security

    async def admit(self, request: Req) -> Principal | None:
        return await self.security.admit(request.headers.get("authorization"), request.scope)


def rest_controllers(gateway: Gateway, security: GatewaySecurity) -> list[type[Controller]]:
    factory = CallerFactory(gateway, security)

    async def reader(request: Req) -> ServiceCaller:

        context = GatewayContext.create(gateway, await factory.admit(request))
        context.reader()
        return context.caller()

    async def writer(request: Req) -> ServiceCaller:

        context = GatewayContext.create(gateway, await factory.admit(request))
        return context.writer()

    class PublicApi(Controller):
        path = "/api/v1"
        tags = ["public API"]  # noqa: RUF012 - Litestar declares it as an instance attribute
        security = [{BEARER: []}]  # noqa: RUF012
        exception_handlers = {  # noqa: RUF012
            ServiceError: service_error,
            ServiceUnavailableError: service_unavailable,
        }

        @post(
            "/import",
            operation_id="bulkImport",
            status_code=200,
            dependencies={"caller": Provide(writer)},
            operation_class=ImportOperation,
            summary="Import units and assets in bulk",
            description=(
                "Forwarded to the registry's bulk importer. Each item answers created, unchanged (already "
                "imported: a file imported twice changes nothing) or rejected with a code. Send "
                "`Idempotency-Key` to make a retried upload safe."
            ),
        )
        async def bulk_import(self, request: Req, caller: NamedDependency[ServiceCaller]) -> ImportReport:
            report = await registry_api.bulk_import(
                caller,
                await request.body(),
                request.headers.get("content-type", "application/json"),
                request.headers.get("idempotency-key"),
            )
            return public(report, ImportReport)

        @get(
            "/units/{code:str}",
            operation_id="unitByCode",
            dependencies={"caller": Provide(reader)},
            summary="The unit holding a code (on as_of, today without it)",
        )
        async def unit(
            self,
            caller: NamedDependency[ServiceCaller],
            code: FromPath[str],
            as_of: FromQuery[datetime.date | None] = None,
        ) -> UnitView:
            found = await registry_api.units_by_codes(caller, [code], as_of)
            if not found:
                raise NotFoundError(f"no unit with code {code}", code="unknown_unit", details={"code": code})
            return public(found[0], UnitView)

        @get(
            "/programmes",
            operation_id="listProgrammes",
            dependencies={"caller": Provide(reader)},
            summary="Programmes of a producer unit (and the units under it), by air date",
        )
        async def programmes(  # noqa: PLR0917 - query parameters, passed by name
            self,
            caller: NamedDependency[ServiceCaller],
            producer_code: Annotated[str | None, QueryParameter(examples=[Example(value="061")])] = None,
            from_date: FromQuery[datetime.date | None] = None,
            to_date: FromQuery[datetime.date | None] = None,
            first: Annotated[int, QueryParameter(ge=1, le=200, examples=[Example(value=50)])] = 50,
            after: FromQuery[str | None] = None,
            as_of: PRODUCER_AS_OF = None,
        ) -> ProgrammePage:
            return await broadcast_api.programmes(
                caller,
                ProgrammePage,
                producer_code=producer_code,
                date_from=from_date,
                date_to=to_date,
                first=checked_first(first),
                after=after,
                as_of=as_of,
            )

        @get(
            "/indicator-values",
            operation_id="indicatorValues",
            dependencies={"caller": Provide(reader)},
            summary="Values of indicators for a period, by level and parent",
        )
        async def indicator_values(  # noqa: PLR0917 - query parameters, passed by name
            self,
            caller: NamedDependency[ServiceCaller],
            codes: Annotated[
                str, QueryParameter(description="comma-separated", examples=[Example(value="radio.communes.ip_share")])
            ],
            period: Annotated[str, QueryParameter(pattern=PERIOD_PATTERN.pattern, examples=[Example(value="2023")])],
            level: Annotated[str, QueryParameter(examples=[Example(value="district")])],
            parent_code: FromQuery[str | None] = None,
            as_of: FromQuery[datetime.date | None] = None,
            group: Annotated[
                str | None, QueryParameter(description="Only the members of this unit group (its code).")
            ] = None,
        ) -> list[IndicatorValueView]:
            wanted = [c.strip() for c in codes.split(",") if c.strip()]
            return await metrics_api.values_at_level(
                caller, wanted, period, level, parent_code, as_of=as_of, group=group
            )

    return [PublicApi]
