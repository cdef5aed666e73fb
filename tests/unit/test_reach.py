"""The one "inside the caller's unit" walk: levels at once, one depth rule, strict mode."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import pytest

from libs.common.db import Conn
from libs.common.errors import ForbiddenError
from libs.common.reach import MAX_DEPTH, require_within, units_outside

# province P > districts D1, D2 > communes C1 (in D1), C2 (in D2) > village V1 (in C1)
PARENTS: dict[str, str | None] = {"P": None, "D1": "P", "D2": "P", "C1": "D1", "C2": "D2", "V1": "C1"}
CODES = {"p": "P", "d1": "D1", "d2": "D2", "c1": "C1"}


class Tree:
    def __init__(self, parents: Mapping[str, str | None]) -> None:
        self.parents_of = parents
        self.rounds = 0

    async def unit_id(self, conn: Conn, code: str) -> str | None:
        return CODES.get(code)

    async def parents(self, conn: Conn, unit_ids: Sequence[str]) -> Mapping[str, str | None]:
        self.rounds += 1
        return {u: self.parents_of[u] for u in unit_ids if u in self.parents_of}


CONN = cast(Conn, None)
"""The tree above needs no database."""


async def test_units_below_are_inside_and_siblings_outside() -> None:
    tree = Tree(PARENTS)
    assert await units_outside(CONN, tree, "D1", ["D1", "C1", "V1", "C2", "D2", "P"]) == ["C2", "D2", "P"]


async def test_the_walk_climbs_every_unit_together_one_level_per_round_trip() -> None:
    tree = Tree(PARENTS)
    await units_outside(CONN, tree, "P", ["V1", "C1", "C2", "D1"])
    assert tree.rounds == 3  # V1 -> C1 -> D1 -> P: the deepest unit sets the count


async def test_strictly_below_refuses_the_callers_own_unit() -> None:
    tree = Tree(PARENTS)
    assert await units_outside(CONN, tree, "D1", ["D1", "C1"], strictly_below=True) == ["D1"]


async def test_an_unknown_unit_is_outside() -> None:
    assert await units_outside(CONN, Tree(PARENTS), "D1", ["nowhere"]) == ["nowhere"]


async def test_a_cycle_in_bad_data_stops_at_the_depth_rule() -> None:
    tree = Tree({"A": "B", "B": "A", "D1": "P", "P": None})
    assert await units_outside(CONN, tree, "D1", ["A"]) == ["A"]
    assert tree.rounds == MAX_DEPTH


async def test_require_within_refuses_with_the_one_code_and_names_the_units() -> None:
    with pytest.raises(ForbiddenError) as refused:
        await require_within(CONN, Tree(PARENTS), "d1", ["C1", "C2"])
    assert refused.value.code == "outside_own_unit"
    assert refused.value.details == {"own_unit_code": "d1", "unit_ids": ["C2"]}


async def test_require_within_checks_nothing_for_a_caller_not_confined_to_a_unit() -> None:
    tree = Tree(PARENTS)
    await require_within(CONN, tree, None, ["C2"])
    assert tree.rounds == 0


async def test_a_caller_whose_own_unit_is_unknown_is_refused() -> None:
    with pytest.raises(ForbiddenError):
        await require_within(CONN, Tree(PARENTS), "gone", ["C1"])
