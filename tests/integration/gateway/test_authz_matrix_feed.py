"""The live feed's table of the authorization matrix (docs/services/gateway-security.md,
``authz-matrix-feed``): who may ask where the feed stands. The subscriptions themselves are
checked by ``test_authz_subscriptions.py``."""

from __future__ import annotations

from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import Cell, Targets, check_table, matrix_platform

__all__ = ["matrix_platform"]

CELLS: dict[str, Cell] = {
    "liveCursor (where the feed stands)": lambda i, t: ("{ liveCursor }", {}),
}


async def test_every_feed_operation_is_allowed_or_refused_as_the_matrix_specifies(matrix_platform: Platform) -> None:
    await check_table(matrix_platform, "authz-matrix-feed", CELLS, Targets())  # acts on no unit
