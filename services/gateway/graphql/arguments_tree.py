"""The ``asOf`` argument of the broadcast lists: which day's unit tree ``unitCode`` is read in.

A list filtered by a unit takes the unit and every unit under it. Units are merged, split,
moved and dissolved (the 2025 reorganisation ended every district), so a report on a past
year names the unit as it stood then: ``asOf`` resolves the code to the unit holding it that
day and walks the tree as it stood that day (ADR 0045). Without it, today's tree.
"""

from __future__ import annotations

import datetime
from typing import Annotated

import strawberry

TREE_AS_OF_HELP = (
    "The day whose unit tree unitCode is read in: the unit holding the code that day and the units under it "
    "then (without it: today's tree)."
)

TreeAsOf = Annotated[datetime.date | None, strawberry.argument(description=TREE_AS_OF_HELP)]

ProducerAsOf = Annotated[
    datetime.date | None, strawberry.argument(description=TREE_AS_OF_HELP.replace("unitCode", "producerCode"))
]
"""``asOf`` of the programme list, whose unit is its producer (``producerCode``)."""
