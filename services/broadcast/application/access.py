"""Who may write what: scopes, and a district centre confined to its own unit's subtree.

A principal with ``unit_code`` (a district centre) may write only about units that are that
unit or under it; the check runs on the broadcast service's read model of the registry.
"""

from __future__ import annotations

from collections.abc import Sequence

from libs.common.db import Conn
from libs.common.errors import NotFoundError, outside_own_unit
from libs.common.principal import Principal
from services.broadcast.adapters import registry_view
from services.broadcast.adapters.registry_view import UnitRow


async def require_units_within_reach(conn: Conn, principal: Principal | None, unit_ids: Sequence[str]) -> None:
    if principal is None or principal.unit_code is None or principal.is_admin:
        return
    own = await registry_view.unit_by_code(conn, principal.unit_code)
    if own is None:
        raise outside_own_unit(f"the caller's unit {principal.unit_code} is not known here", principal.unit_code)
    outside = await registry_view.units_outside(conn, unit_ids, own.unit_id)
    if outside:
        raise outside_own_unit(
            f"a caller for unit {principal.unit_code} may write only for that unit and the units under it",
            principal.unit_code,
        )


async def unit_by_code(conn: Conn, code: str) -> UnitRow:
    unit = await registry_view.unit_by_code(conn, code)
    if unit is None:
        raise NotFoundError(f"no unit with code {code}", code="unknown_unit", details={"unit_code": code})
    return unit
