"""Deletes idempotency records older than the retention (``TINHSO_IDEMPOTENCY_RETENTION_*``,
ADR 0046): a command's ``idempotency_keys`` row and a bulk item's ``item_keys`` row.

A key is a promise that a retry does nothing twice; kept forever, a monitoring system's
heartbeats alone would add millions of rows a day. Past the retention a retry is a new command.
The service's backbone process deletes the expired rows in the background, a small batch per
statement, each its own transaction: a delete holds the row locks of a few thousand old rows
for milliseconds and never a lock a command needs (a command takes only its own keys, and an
expired key is one nobody is retrying any more). The rows are found through a BRIN index on
``created_at``, which costs the inserts next to nothing.
"""

from __future__ import annotations

import asyncio
import datetime
import logging

import asyncpg

from libs.common.db import Conn

log = logging.getLogger(__name__)

TABLES = ("idempotency_keys", "item_keys")
EVERY = datetime.timedelta(minutes=10)
"""How often the backbone looks for expired records: retention is counted in hours."""


class KeyExpiry:
    def __init__(self, schema: str, retention: datetime.timedelta, batch: int) -> None:
        self.retention = retention
        self.batch = batch
        self._deletes = [
            f"""DELETE FROM {schema}.{table} WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM {schema}.{table} WHERE created_at < $1 LIMIT $2))"""
            for table in TABLES
        ]

    async def expire(self, conn: Conn) -> int:
        """Delete every record older than the retention, ``batch`` rows a statement, outside
        any transaction; how many were deleted."""
        cutoff = datetime.datetime.now(datetime.UTC) - self.retention
        deleted = 0
        for statement in self._deletes:
            while True:
                status = await conn.execute(statement, cutoff, self.batch)
                count = int(status.rsplit(" ", 1)[1])
                deleted += count
                if count < self.batch:
                    break
        return deleted

    async def run(self, pool: asyncpg.Pool) -> None:
        """Forever: expire, then wait :data:`EVERY`; a failure is logged and tried again later."""
        while True:
            try:
                async with pool.acquire() as conn:
                    deleted = await self.expire(conn)
                if deleted:
                    log.info("deleted %d expired idempotency records", deleted)
            except asyncio.CancelledError:
                raise
            except (asyncpg.PostgresError, OSError) as exc:  # the database is back later; so is this
                log.warning("expiring idempotency records failed: %s", exc)
            await asyncio.sleep(EVERY.total_seconds())
