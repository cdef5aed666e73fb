"""Internal REST API for administrative units' commands, one row each.

A route only translates: the body (``contracts.api.registry``) and the path's id become the
handler's input, the caller comes from the ``ctx`` dependency; the rows become Litestar routes
in ``libs.common.http.routes`` (ADR 0034), and domain errors become HTTP errors in one place
(``libs.common.http.errors``).
"""

from __future__ import annotations

from contracts.api.registry import (
    DissolveUnitBody,
    MergeUnitsBody,
    RegisterUnitBody,
    RenameUnitBody,
    ReparentUnitBody,
    SplitUnitBody,
)
from libs.common.http.routes import CommandRoute, CommandTable
from services.registry.application.by_id import ById
from services.registry.application.handlers import RegistryHandlers
from services.registry.entrypoints.dependencies import WRITE_SCOPE

Row = CommandRoute[RegistryHandlers]

UNIT_COMMANDS = CommandTable[RegistryHandlers](
    "/commands/units",
    "units: commands",
    [
        Row("POST", "/register", "registerUnit", RegisterUnitBody, WRITE_SCOPE, lambda h: h.units.register),
        Row("POST", "/{unit_id:str}/rename", "renameUnit", ById[RenameUnitBody], WRITE_SCOPE, lambda h: h.units.rename),
        Row(
            "POST",
            "/{unit_id:str}/reparent",
            "reparentUnit",
            ById[ReparentUnitBody],
            WRITE_SCOPE,
            lambda h: h.units.reparent,
        ),
        Row("POST", "/merge", "mergeUnits", MergeUnitsBody, WRITE_SCOPE, lambda h: h.units.merge),
        Row("POST", "/{unit_id:str}/split", "splitUnit", ById[SplitUnitBody], WRITE_SCOPE, lambda h: h.units.split),
        Row(
            "POST",
            "/{unit_id:str}/dissolve",
            "dissolveUnit",
            ById[DissolveUnitBody],
            WRITE_SCOPE,
            lambda h: h.units.dissolve,
        ),
    ],
)
