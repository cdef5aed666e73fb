""" "Is this unit inside the caller's unit": one answer for every service, one depth rule.

A caller confined to a unit (a district centre, ``Principal.unit_code``) writes only for that
unit and the units under it. Each service knows the administrative tree from its own data (the
registry from its event store, broadcast and metrics from their read models of the registry's
events) and gives it here as a :class:`UnitTree`; the walk, its depth limit and the refusal are
the same everywhere. The walk runs on the command's own connection, inside its transaction, so
what is checked is what the command decides on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from libs.common.db import Conn
from libs.common.errors import outside_own_unit

__all__ = ["MAX_DEPTH", "UnitTree", "require_within", "units_outside"]

MAX_DEPTH = 8
"""Province > district > commune > village is four levels; a walk stops well after that, so a
cycle in bad data cannot hang a command."""


class UnitTree(Protocol):
    async def unit_id(self, conn: Conn, code: str) -> str | None:
        """The id of the unit with this official code (as the tree stands for the command)."""
        ...

    async def parents(self, conn: Conn, unit_ids: Sequence[str]) -> Mapping[str, str | None]:
        """Each known unit's parent id (``None`` for a root); unknown units are left out."""
        ...


async def units_outside(
    conn: Conn, tree: UnitTree, own_unit_id: str, unit_ids: Iterable[str], *, strictly_below: bool = False
) -> list[str]:
    """The ``unit_ids`` that are not ``own_unit_id`` or below it (not strictly below it, with
    ``strictly_below``), sorted; the walk climbs one level per round trip for all of them at once."""
    wanted = list(dict.fromkeys(unit_ids))
    outside = [u for u in wanted if strictly_below and u == own_unit_id]
    # unit -> the ancestor reached so far
    climbing = {u: u for u in wanted if u != own_unit_id}
    for _ in range(MAX_DEPTH):
        if not climbing:
            break
        parents = await tree.parents(conn, sorted(set(climbing.values())))
        next_round: dict[str, str] = {}
        for unit, at in climbing.items():
            parent = parents.get(at)
            if parent == own_unit_id:
                continue
            if parent is None:
                outside.append(unit)
            else:
                next_round[unit] = parent
        climbing = next_round
    outside.extend(climbing)  # deeper than MAX_DEPTH: not known to be inside
    return sorted(outside)


async def require_within(
    conn: Conn, tree: UnitTree, unit_code: str | None, unit_ids: Iterable[str], *, strictly_below: bool = False
) -> None:
    """Refuse (403 ``outside_own_unit``) unless every unit lies within ``unit_code``'s subtree.

    ``unit_code`` is the caller's (``CommandContext.unit_code``); ``None`` means not confined,
    and nothing is checked.
    """
    if unit_code is None:
        return
    ids = list(unit_ids)
    if not ids:
        return
    own = await tree.unit_id(conn, unit_code)
    if own is None:
        raise outside_own_unit(f"the caller's unit {unit_code} is not known here", unit_code)
    outside = await units_outside(conn, tree, own, ids, strictly_below=strictly_below)
    if outside:
        what = "the units below it" if strictly_below else "that unit and the units under it"
        raise outside_own_unit(
            f"a caller for unit {unit_code} may act only for {what}", unit_code, unit_ids=sorted(outside)
        )
