"""The ``as_of`` query parameter of the /api/v1 broadcast lists: which day's unit tree
``unit_code`` is read in (ADR 0045; the GraphQL side is ``graphql.arguments_tree``)."""

from __future__ import annotations

import datetime
from typing import Annotated

from litestar.openapi.spec import Example
from litestar.params import QueryParameter

from services.gateway.graphql.arguments_tree import TREE_AS_OF_HELP

AS_OF = Annotated[
    datetime.date | None,
    QueryParameter(
        description=TREE_AS_OF_HELP.replace("unitCode", "unit_code"), examples=[Example(value="2024-06-30")]
    ),
]

PRODUCER_AS_OF = Annotated[
    datetime.date | None,
    QueryParameter(
        description=TREE_AS_OF_HELP.replace("unitCode", "producer_code"), examples=[Example(value="2024-06-30")]
    ),
]
"""``as_of`` of the programme list, whose unit is its producer (``producer_code``)."""
