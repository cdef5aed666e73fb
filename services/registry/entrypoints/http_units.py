"""Internal REST API for administrative units: one route per command, batched queries.

Routes only translate: request bodies to application calls, results to responses. Domain
errors become HTTP errors in one place (``libs.common.http.errors``).
"""

from __future__ import annotations

import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from contracts.registry_events import CATALOGUE, UnitLevel
from libs.common.errors import InvalidInputError, NotFoundError
from libs.common.eventstore.commands import CommandExecutor
from libs.common.http.commands import command_metadata, idempotency_key
from libs.common.runtime import ServiceRuntime
from services.registry.adapters import units_read
from services.registry.adapters.units_read import UnitPage, UnitView
from services.registry.application.unit_inputs import MergeUnitsInput, RegisterUnitInput
from services.registry.application.units import UnitCommandResult, UnitCommands
from services.registry.domain.names import day_before
from services.registry.entrypoints.access import ACCESS, Access

MAX_PAGE = 500
MAX_BATCH = 1000


async def provide_unit_commands(runtime: NamedDependency[ServiceRuntime]) -> UnitCommands:
    return UnitCommands(CommandExecutor(runtime.pool, "registry", CATALOGUE))


class RenameUnitBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    effective_on: datetime.date


class ReparentUnitBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    parent_code: str
    effective_on: datetime.date


class SplitUnitBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    successors: list[RegisterUnitInput]
    effective_on: datetime.date


class DissolveUnitBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    effective_on: datetime.date
    reason: str | None = None


Req = Request[Any, Any, Any]


class UnitCommandsController(Controller):
    path = "/commands/units"
    tags = ["units: commands"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"units": Provide(provide_unit_commands), "access": ACCESS}  # noqa: RUF012

    @post("/register", operation_id="registerUnit")
    async def register(
        self, data: JSONBody[RegisterUnitInput], request: Req, units: NamedDependency[UnitCommands], access: Access
    ) -> UnitCommandResult:
        access.forbid_organisations("an administrative unit")
        await access.check_new_unit(data.parent_code, data.valid_from)
        meta = command_metadata(request)
        return await units.register(data.spec(), metadata=meta, idempotency=idempotency_key(request, meta, data))

    @post("/{unit_id:str}/rename", operation_id="renameUnit")
    async def rename(
        self,
        unit_id: FromPath[str],
        data: JSONBody[RenameUnitBody],
        request: Req,
        units: NamedDependency[UnitCommands],
        access: Access,
    ) -> UnitCommandResult:
        access.forbid_organisations("an administrative unit")
        await access.check_unit_ids(unit_id)
        meta = command_metadata(request)
        return await units.rename(
            unit_id, data.name, data.effective_on, metadata=meta, idempotency=idempotency_key(request, meta, data)
        )

    @post("/{unit_id:str}/reparent", operation_id="reparentUnit")
    async def reparent(
        self,
        unit_id: FromPath[str],
        data: JSONBody[ReparentUnitBody],
        request: Req,
        units: NamedDependency[UnitCommands],
        access: Access,
    ) -> UnitCommandResult:
        access.forbid_organisations("an administrative unit")
        await access.check_unit_ids(unit_id)
        await access.check_units(data.parent_code, on=data.effective_on)
        meta = command_metadata(request)
        return await units.reparent(
            unit_id,
            data.parent_code,
            data.effective_on,
            metadata=meta,
            idempotency=idempotency_key(request, meta, data),
        )

    @post("/merge", operation_id="mergeUnits")
    async def merge(
        self, data: JSONBody[MergeUnitsInput], request: Req, units: NamedDependency[UnitCommands], access: Access
    ) -> UnitCommandResult:
        access.forbid_organisations("an administrative unit")
        await access.check_units(*data.source_codes, on=day_before(data.effective_on), strictly_below=True)
        await access.check_units(data.successor_code, on=day_before(data.effective_on), strictly_below=True)
        if data.successor is not None:
            await access.check_new_unit(data.successor.parent_code, data.effective_on)
        meta = command_metadata(request)
        return await units.merge(
            data.source_codes,
            data.effective_on,
            successor=data.successor.spec() if data.successor else None,
            successor_code=data.successor_code,
            metadata=meta,
            idempotency=idempotency_key(request, meta, data),
        )

    @post("/{unit_id:str}/split", operation_id="splitUnit")
    async def split(
        self,
        unit_id: FromPath[str],
        data: JSONBody[SplitUnitBody],
        request: Req,
        units: NamedDependency[UnitCommands],
        access: Access,
    ) -> UnitCommandResult:
        access.forbid_organisations("an administrative unit")
        await access.check_unit_ids(unit_id)
        for successor in data.successors:
            await access.check_new_unit(successor.parent_code, data.effective_on)
        meta = command_metadata(request)
        return await units.split(
            unit_id,
            [s.spec() for s in data.successors],
            data.effective_on,
            metadata=meta,
            idempotency=idempotency_key(request, meta, data),
        )

    @post("/{unit_id:str}/dissolve", operation_id="dissolveUnit")
    async def dissolve(
        self,
        unit_id: FromPath[str],
        data: JSONBody[DissolveUnitBody],
        request: Req,
        units: NamedDependency[UnitCommands],
        access: Access,
    ) -> UnitCommandResult:
        access.forbid_organisations("an administrative unit")
        await access.check_unit_ids(unit_id)
        meta = command_metadata(request)
        return await units.dissolve(
            unit_id, data.effective_on, data.reason, metadata=meta, idempotency=idempotency_key(request, meta, data)
        )


def _split_list(raw: str, what: str) -> list[str]:
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if not items:
        raise InvalidInputError(f"give at least one {what}", code="invalid_query")
    if len(items) > MAX_BATCH:
        raise InvalidInputError(f"at most {MAX_BATCH} {what}s per request", code="invalid_query")
    return items


class UnitQueriesController(Controller):
    path = "/units"
    tags = ["units: queries"]  # noqa: RUF012

    @get("/", operation_id="unitsByIds", description="Units by id, comma-separated (for DataLoaders).")
    async def by_ids(
        self,
        runtime: NamedDependency[ServiceRuntime],
        ids: FromQuery[str],
        as_of: FromQuery[datetime.date | None] = None,
    ) -> list[UnitView]:
        async with runtime.pool.acquire() as conn:
            return await units_read.units_by_ids(conn, _split_list(ids, "id"), as_of)

    @get("/by-code", operation_id="unitsByCodes", description="The unit holding each code on as_of.")
    async def by_codes(
        self,
        runtime: NamedDependency[ServiceRuntime],
        codes: FromQuery[str],
        as_of: FromQuery[datetime.date | None] = None,
    ) -> list[UnitView]:
        async with runtime.pool.acquire() as conn:
            return await units_read.units_by_codes(conn, _split_list(codes, "code"), as_of)

    @get("/list", operation_id="listUnits", description="Units in code order; search ignores diacritics.")
    async def list_units(
        self,
        *,
        runtime: NamedDependency[ServiceRuntime],
        level: FromQuery[UnitLevel | None] = None,
        parent_code: FromQuery[str | None] = None,
        search: FromQuery[str | None] = None,
        as_of: FromQuery[datetime.date | None] = None,
        first: FromQuery[int] = 50,
        after: FromQuery[str | None] = None,
    ) -> UnitPage:
        if not 1 <= first <= MAX_PAGE:
            raise InvalidInputError(f"first must be between 1 and {MAX_PAGE}", code="invalid_query")
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
        runtime: NamedDependency[ServiceRuntime],
        parent_ids: FromQuery[str],
        as_of: FromQuery[datetime.date | None] = None,
        first: FromQuery[int] = 50,
    ) -> list[units_read.ChildrenPage]:
        if not 1 <= first <= MAX_PAGE:
            raise InvalidInputError(f"first must be between 1 and {MAX_PAGE}", code="invalid_query")
        async with runtime.pool.acquire() as conn:
            return await units_read.children_pages(conn, _split_list(parent_ids, "parent id"), as_of=as_of, first=first)

    @get("/{unit_id:str}/descendants", operation_id="unitDescendants")
    async def descendants(
        self,
        runtime: NamedDependency[ServiceRuntime],
        unit_id: FromPath[str],
        level: FromQuery[UnitLevel | None] = None,
    ) -> list[str]:
        async with runtime.pool.acquire() as conn:
            return await units_read.descendant_ids(conn, unit_id, level)
