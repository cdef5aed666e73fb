"""``POST /commands/import``: bulk import of command items as a JSON array or NDJSON.

The ``items`` dependency reads the body (``Content-Type: application/json`` for an array,
``application/x-ndjson`` for one object per line); the :class:`BulkImporter` runs them as the
caller and the route answers the per-item report with 200, whatever the items' fates. More than
10,000 items is refused as a whole with 413 ``too_many_items``.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency, Provide
from litestar.exceptions import HTTPException
from litestar.types import ExceptionHandlersMap

from contracts.api.registry_views import ImportReport
from libs.common.http.context import Ctx
from libs.common.http.errors import ErrorBody
from services.registry.application.bulk_import import KINDS
from services.registry.application.import_parsing import (
    MAX_ITEMS,
    RawItem,
    TooManyItemsError,
    from_json_array,
    from_ndjson,
)
from services.registry.application.ownership import require_unrestricted
from services.registry.entrypoints.dependencies import WRITER, Importer

Req = Request[Any, Any, Any]

NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines")
JSON_TYPES = ("application/json", "")


def _too_many_items(_: Req, exc: TooManyItemsError) -> Response[ErrorBody]:
    return Response(ErrorBody(exc.code, exc.message, exc.details), status_code=413)


async def read_items(request: Req, ctx: Ctx) -> list[RawItem]:
    """The body's items, read only for a caller who may import: items of every kind, for any
    unit and operator, are not for a caller bound to either."""
    require_unrestricted(ctx, "a bulk import")
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media in NDJSON_TYPES:
        return from_ndjson(await request.body())
    if media in JSON_TYPES:
        return from_json_array(await request.body())
    raise HTTPException(
        status_code=415,
        detail=f"send a JSON array (application/json) or NDJSON (application/x-ndjson), not {media!r}",
    )


class ImportController(Controller):
    path = "/commands/import"
    tags = ["import"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"ctx": WRITER, "items": Provide(read_items)}  # noqa: RUF012
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
    async def bulk_import(self, ctx: Ctx, items: NamedDependency[list[RawItem]], importer: Importer) -> ImportReport:
        return await importer.run(items, ctx)
