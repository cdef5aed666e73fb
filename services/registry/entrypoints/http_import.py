"""``POST /commands/import``: bulk import of command items as a JSON array or NDJSON.

The route reads the body (``Content-Type: application/json`` for an array,
``application/x-ndjson`` for one object per line), hands the items to the
:class:`BulkImporter` and answers the per-item report with 200, whatever the items' fates.
More than 10,000 items is refused as a whole with 413 ``too_many_items``.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.types import ExceptionHandlersMap

from contracts.registry_events import CATALOGUE
from libs.common.eventstore.commands import CommandExecutor
from libs.common.http.commands import command_metadata
from libs.common.http.errors import ErrorBody
from libs.common.runtime import ServiceRuntime
from services.registry.application.bulk_import import KINDS, BulkImporter
from services.registry.application.import_parsing import (
    MAX_ITEMS,
    RawItem,
    TooManyItemsError,
    from_json_array,
    from_ndjson,
)
from services.registry.application.import_report import ImportReport
from services.registry.entrypoints.access import ACCESS, Access

Req = Request[Any, Any, Any]

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines")
JSON_TYPES = ("application/json", "")


async def provide_importer(runtime: NamedDependency[ServiceRuntime]) -> BulkImporter:
    return BulkImporter(CommandExecutor(runtime.pool, "registry", CATALOGUE))


def _too_many_items(_: Req, exc: TooManyItemsError) -> Response[ErrorBody]:
    return Response(ErrorBody(exc.code, exc.message, exc.details), status_code=413)


def read_items(content_type: str, body: bytes) -> list[RawItem]:
    media = content_type.split(";", 1)[0].strip().lower()
    if media in NDJSON_TYPES:
        return from_ndjson(body)
    if media in JSON_TYPES:
        return from_json_array(body)
    raise HTTPException(
        status_code=415,
        detail=f"send a JSON array (application/json) or NDJSON (application/x-ndjson), not {media!r}",
    )


class ImportController(Controller):
    path = "/commands/import"
    tags = ["import"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"importer": Provide(provide_importer), "access": ACCESS}  # noqa: RUF012
    exception_handlers: ExceptionHandlersMap = {TooManyItemsError: _too_many_items}  # noqa: RUF012

    @post(
        "/",
        operation_id="bulkImport",
        status_code=200,
        summary="Import up to 10,000 command items",
        description=(
            f"A JSON array, or NDJSON (application/x-ndjson), of up to {MAX_ITEMS:,} items "
            '{"kind": ..., "key": optional stable string, ...fields}. Kinds: '
            + ", ".join(sorted(KINDS))
            + ". Items run in order through the normal commands; each answers created, unchanged "
            "(already imported: importing the same file again changes nothing) or rejected with "
            "an error code. An NDJSON line that does not parse rejects that item only."
        ),
    )
    async def bulk_import(self, request: Req, importer: NamedDependency[BulkImporter], access: Access) -> ImportReport:
        # Items of every kind, for any unit and operator: not for a caller bound to either.
        access.require_unrestricted("a bulk import")
        items = read_items(request.headers.get("content-type", ""), await request.body())
        meta = command_metadata(request)
        principal = meta.partner or meta.actor or "anonymous"
        return await importer.run(items, principal=principal, metadata=meta)
