"""The administrative tree as the metrics service knows it on a day, for
``libs.common.reach.require_within``: units and their parents from the ``metrics_facts``
projection of the registry's events.

Units and parent links are dated (merges and splits end them), so the tree is the one that
stands on the day a command is about: a report for 2023 is checked against 2023's tree.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from libs.common.db import Conn
from services.metrics.adapters.indicator_data import FACTS


class UnitTreeOn:
    """``libs.common.reach.UnitTree`` on ``day``."""

    def __init__(self, day: datetime.date) -> None:
        self.day = day

    async def unit_id(self, conn: Conn, code: str) -> str | None:
        found: str | None = await conn.fetchval(
            f"""SELECT unit_id FROM {FACTS}.units
                WHERE code = $1 AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)
                ORDER BY valid_from DESC LIMIT 1""",
            code,
            self.day,
        )
        return found

    async def parents(self, conn: Conn, unit_ids: Sequence[str]) -> Mapping[str, str | None]:
        rows = await conn.fetch(
            f"""SELECT u.unit_id, p.parent_id FROM {FACTS}.units u
                LEFT JOIN {FACTS}.unit_parents p ON p.unit_id = u.unit_id
                 AND p.valid_from <= $2 AND (p.valid_to IS NULL OR p.valid_to > $2)
                WHERE u.unit_id = ANY($1::text[])""",
            list(unit_ids),
            self.day,
        )
        return {r["unit_id"]: r["parent_id"] for r in rows}
