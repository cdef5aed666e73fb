"""What a bulk import makes of an item's command: its outcome, and the one rule for an unkeyed
item that meets a one-per-X conflict (the holder may be what the item asks for: "unchanged")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from libs.common.errors import ConflictError
from libs.common.eventstore.results import CommandResult
from services.registry.application.import_kinds import ImportContext, Outcome


def outcome_of(done: CommandResult, code: str | None = None) -> Outcome:
    return Outcome(code=code.strip() if code is not None else None, result=done)


async def import_or_match(
    ctx: ImportContext,
    handler: Callable[[], Awaitable[CommandResult]],
    rule: str,
    matcher: Callable[[str], Awaitable[bool]],
    code: str,
) -> Outcome:
    """Run the handler; on a conflict with ``rule`` for an unkeyed item, ask ``matcher`` whether
    the holder (the asset already holding the rule) is what the item asks for: then the item is
    "unchanged", else the conflict stands (re-raised)."""
    try:
        done = await handler()
    except ConflictError as exc:
        if not await matcher(holder_of(ctx, exc, rule)):
            raise
        return Outcome(code=code.strip(), already_done=True)
    return outcome_of(done, code)


def holder_of(ctx: ImportContext, exc: ConflictError, rule: str) -> str:
    """The asset holding the rule ``exc`` broke, if an unkeyed item may be found already done."""
    holder = exc.details.get("holder_id")
    if ctx.keyed or exc.code != rule or not isinstance(holder, str):
        raise exc
    return holder
