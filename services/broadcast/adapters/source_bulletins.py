"""The command side's index of bulletins received from the source-information system
(``broadcast.source_bulletins``, migration ``0004_source_link``): which programme each became,
written in the same transaction as the events that record it (ADR 0054)."""

from __future__ import annotations

from contracts.broadcast_events import SourceBulletinReceived
from libs.common.db import Conn


async def record(conn: Conn, event: SourceBulletinReceived) -> None:
    await conn.execute(
        """INSERT INTO broadcast.source_bulletins (sender, bulletin_id, programme_id, priority, received_at)
           VALUES ($1, $2, $3, $4, $5)""",
        event.sender,
        event.bulletin_id,
        event.programme_id,
        event.priority,
        event.received_at,
    )
