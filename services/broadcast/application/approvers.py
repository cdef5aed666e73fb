"""Who approves a programme's content: a role given by scope and unit (ADR 0052).

An approver holds ``broadcast:approve``. Bound to a unit (a district centre's head), it approves
the programmes produced by that unit and the units under it; bound to none (the provincial
department), any programme; ``admin`` and the service itself (the demo seed), any. Decided in
the command's transaction, on the service's view of the registry.
"""

from __future__ import annotations

from libs.common.errors import ForbiddenError
from libs.common.eventstore.commands import Transaction
from libs.common.eventstore.context import CommandContext
from libs.common.reach import units_outside
from services.broadcast.adapters.registry_view import TREE

APPROVE = "broadcast:approve"
SYSTEM_ACTOR = "system"


def actor(ctx: CommandContext) -> str:
    """Who takes a step: the caller's subject, or the service's own actor (the seed)."""
    if ctx.principal is not None:
        return ctx.principal.subject
    return (ctx.metadata.actor if ctx.metadata is not None else None) or SYSTEM_ACTOR


async def may_approve(tx: Transaction, producer_unit_id: str) -> bool:
    principal = tx.context.principal
    if principal is None or principal.is_admin:
        return True
    if not principal.allows(APPROVE):
        return False
    own_code = principal.unit_code
    if own_code is None:
        return True
    own = await TREE.unit_id(tx.conn, own_code)
    return own is not None and not await units_outside(tx.conn, TREE, own, [producer_unit_id])


async def require_approver(tx: Transaction, programme_id: str, producer_unit_id: str) -> None:
    """Refuse (403 ``not_allowed_to_approve``) a caller who does not approve this programme."""
    if not await may_approve(tx, producer_unit_id):
        raise ForbiddenError(
            "only an approver of the producer's unit (or the province's) approves or rejects its content",
            code="not_allowed_to_approve",
            details={"programme_id": programme_id},
        )
