"""/api/v1 routes of the link to the source-information system (Hệ thống thông tin nguồn,
2455/BTTTT-TTCS; ADR 0054): a bulletin in, its aired results out, page by page.

Bodies and answers are the broadcast service's own (``contracts.api.source_link``); the service
decides the scope (``source:link``) and whose results a caller reads. The results are also
posted to the sender's webhook as they happen (``docs/source-link.md``).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.openapi.spec import Example
from litestar.params import JSONBody, QueryParameter

from contracts.api.source_link import MAX_RESULTS_PAGE, ReceiveBulletinBody, SourceResultPage
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters import source_link_api
from services.gateway.adapters.internal import ServiceError, ServiceUnavailableError
from services.gateway.rest.callers import WRITER, Caller, idempotency_key
from services.gateway.rest.routes import BEARER, Req, service_error, service_unavailable

SINCE = Annotated[int, QueryParameter(ge=0, le=2**62, examples=[Example(value=0)])]
FIRST = Annotated[int, QueryParameter(ge=1, le=MAX_RESULTS_PAGE, examples=[Example(value=100)])]


class SourceLinkRoutes(Controller):
    path = "/api/v1/source-bulletins"
    tags = ["public API: source-information system"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    security = [{BEARER: []}]  # noqa: RUF012
    exception_handlers = {ServiceError: service_error, ServiceUnavailableError: service_unavailable}  # noqa: RUF012
    # Credentials only here: the service asks for ``source:link``, which a sender holds without ``read``.
    dependencies = WRITER

    @post("/", operation_id="receiveSourceBulletin", summary="Receive a bulletin from the source system")
    async def receive(self, request: Req, caller: Caller, data: JSONBody[ReceiveBulletinBody]) -> CommandResult:
        """The bulletin becomes a programme of ``unit_code`` for distribution (``ids``: the programme).
        Sent again with the same ``bulletin_id`` and body: the same answer, nothing recorded twice;
        the same id with another body: 409 ``bulletin_id_reused``."""
        return await source_link_api.receive_bulletin(caller, data, idempotency_key(request))

    @get("/results", operation_id="sourceBulletinResults", summary="The aired results of the caller's bulletins")
    async def results(self, caller: Caller, since: SINCE = 0, first: FIRST = 100) -> SourceResultPage:
        """Each step of each bulletin at each station (delivered, received, aired, failed with its
        reason) after ``since``, oldest first; pass ``next_since`` back to read on."""
        return await source_link_api.results(caller, since, first)
