"""Internal REST API for administrative units' queries, batched for the gateway's DataLoaders.

Every route needs a reader (``READER``); answers are ``contracts.api.registry_views`` shapes.
"""

from __future__ import annotations

import datetime

from litestar import Controller, get
from litestar.params import FromPath, FromQuery

from contracts.api.registry_views import ChildrenPage, UnitPage, UnitView
from contracts.registry_events import UnitLevel
from libs.common.errors import InvalidInputError, NotFoundError
from libs.common.http.context import Reader
from services.registry.adapters import units_read
from services.registry.entrypoints.dependencies import READER
from services.registry.entrypoints.query_params import MAX_PAGE, Runtime, id_list

AsOf = FromQuery[datetime.date | None]


def _page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInputError(f"first must be between 1 and {MAX_PAGE}", code="invalid_query")
    return first


class UnitQueriesController(Controller):
    path = "/units"
    tags = ["units: queries"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"reader": READER}  # noqa: RUF012

    @get("/", operation_id="unitsByIds", description="Units by id, comma-separated (for DataLoaders).")
    async def by_ids(self, runtime: Runtime, reader: Reader, ids: FromQuery[str], as_of: AsOf = None) -> list[UnitView]:
        async with runtime.pool.acquire() as conn:
            return await units_read.units_by_ids(conn, id_list(ids, keep_duplicates=True), as_of)

    @get("/by-code", operation_id="unitsByCodes", description="The unit holding each code on as_of.")
    async def by_codes(
        self, runtime: Runtime, reader: Reader, codes: FromQuery[str], as_of: AsOf = None
    ) -> list[UnitView]:
        async with runtime.pool.acquire() as conn:
            return await units_read.units_by_codes(conn, id_list(codes, "code", keep_duplicates=True), as_of)

    @get("/list", operation_id="listUnits", description="Units in code order; search ignores diacritics.")
    async def list_units(
        self,
        *,
        runtime: Runtime,
        reader: Reader,
        level: FromQuery[UnitLevel | None] = None,
        parent_code: FromQuery[str | None] = None,
        search: FromQuery[str | None] = None,
        as_of: AsOf = None,
        first: FromQuery[int] = 50,
        after: FromQuery[str | None] = None,
    ) -> UnitPage:
        first = _page_size(first)
        async with runtime.pool.acquire() as conn:
            parent_id = None
            if parent_code is not None:
                found = await units_read.units_by_codes(conn, [parent_code], as_of)
                if not found:
                    raise NotFoundError(f"no unit with code {parent_code}", code="unknown_unit")
                parent_id = found[0].unit_id
            return await units_read.list_units(
                conn, as_of=as_of, level=level, parent_id=parent_id, search=search, first=first, after=after
            )

    @get(
        "/children",
        operation_id="unitsChildren",
        description="The first page of children of each parent id, comma-separated (for DataLoaders).",
    )
    async def children(
        self,
        *,
        runtime: Runtime,
        reader: Reader,
        parent_ids: FromQuery[str],
        as_of: AsOf = None,
        first: FromQuery[int] = 50,
    ) -> list[ChildrenPage]:
        first = _page_size(first)
        async with runtime.pool.acquire() as conn:
            return await units_read.children_pages(
                conn, id_list(parent_ids, "parent id", keep_duplicates=True), as_of=as_of, first=first
            )

    @get("/{unit_id:str}/descendants", operation_id="unitDescendants")
    async def descendants(
        self, runtime: Runtime, reader: Reader, unit_id: FromPath[str], level: FromQuery[UnitLevel | None] = None
    ) -> list[str]:
        async with runtime.pool.acquire() as conn:
            return await units_read.descendant_ids(conn, unit_id, level)
