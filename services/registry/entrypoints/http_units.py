"""Internal REST API for administrative units' commands: one route per command.

Routes only translate: the body (``contracts.api.registry``) and the path's id become the
handler's input, the caller comes from the ``ctx`` dependency; domain errors become HTTP errors
in one place (``libs.common.http.errors``).
"""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from contracts.api.registry import (
    DissolveUnitBody,
    MergeUnitsBody,
    RegisterUnitBody,
    RenameUnitBody,
    ReparentUnitBody,
    SplitUnitBody,
)
from libs.common.eventstore.results import CommandResult
from libs.common.http.context import Ctx
from services.registry.application.by_id import ById
from services.registry.entrypoints.dependencies import WRITER, Handlers


class UnitCommandsController(Controller):
    path = "/commands/units"
    tags = ["units: commands"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"ctx": WRITER}  # noqa: RUF012

    @post("/register", operation_id="registerUnit")
    async def register(self, data: JSONBody[RegisterUnitBody], ctx: Ctx, handlers: Handlers) -> CommandResult:
        return await handlers.units.register(data, ctx)

    @post("/{unit_id:str}/rename", operation_id="renameUnit")
    async def rename(
        self, unit_id: FromPath[str], data: JSONBody[RenameUnitBody], ctx: Ctx, handlers: Handlers
    ) -> CommandResult:
        return await handlers.units.rename(ById(id=unit_id, body=data), ctx)

    @post("/{unit_id:str}/reparent", operation_id="reparentUnit")
    async def reparent(
        self, unit_id: FromPath[str], data: JSONBody[ReparentUnitBody], ctx: Ctx, handlers: Handlers
    ) -> CommandResult:
        return await handlers.units.reparent(ById(id=unit_id, body=data), ctx)

    @post("/merge", operation_id="mergeUnits")
    async def merge(self, data: JSONBody[MergeUnitsBody], ctx: Ctx, handlers: Handlers) -> CommandResult:
        return await handlers.units.merge(data, ctx)

    @post("/{unit_id:str}/split", operation_id="splitUnit")
    async def split(
        self, unit_id: FromPath[str], data: JSONBody[SplitUnitBody], ctx: Ctx, handlers: Handlers
    ) -> CommandResult:
        return await handlers.units.split(ById(id=unit_id, body=data), ctx)

    @post("/{unit_id:str}/dissolve", operation_id="dissolveUnit")
    async def dissolve(
        self, unit_id: FromPath[str], data: JSONBody[DissolveUnitBody], ctx: Ctx, handlers: Handlers
    ) -> CommandResult:
        return await handlers.units.dissolve(ById(id=unit_id, body=data), ctx)
