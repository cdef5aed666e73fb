"""Old idempotency records are deleted, a small batch at a time, and fresh ones kept (ADR 0046):
a command's ``idempotency_keys`` row and a bulk item's ``item_keys`` row alike."""

from __future__ import annotations

import datetime

import asyncpg

from libs.common.db import Conn
from libs.common.eventstore.idempotency import IdempotencyKey, IdempotencyRecords
from libs.common.eventstore.item_keys import ItemKeys, ItemRecord, key_digest
from libs.common.eventstore.key_expiry import KeyExpiry

DAY = datetime.timedelta(days=1)


async def _aged(conn: Conn, table: str, where: str, age: datetime.timedelta) -> None:
    await conn.execute(f"UPDATE test.{table} SET created_at = now() - $1::interval WHERE {where}", age)


async def test_an_expired_key_is_gone_and_a_fresh_one_is_kept(store_pool: asyncpg.Pool) -> None:
    commands, items = IdempotencyRecords("test"), ItemKeys("test")
    async with store_pool.acquire() as conn:
        for n in range(7):
            await commands.save(conn, IdempotencyKey("p", f"old-{n}", "h"), b"{}")
        await commands.save(conn, IdempotencyKey("p", "fresh", "h"), b"{}")
        digests = [key_digest("p", f"bulk:signal:{n}") for n in range(5)]
        await items.save(conn, [ItemRecord(d, b"h" * 16, [f"c{n}"]) for n, d in enumerate(digests)])
        await _aged(conn, "idempotency_keys", "key LIKE 'old-%'", 3 * DAY)
        await _aged(conn, "item_keys", "ids::text <> '[\"c0\"]'", 3 * DAY)
        await _aged(conn, "item_keys", "ids::text = '[\"c0\"]'", DAY / 2)

        deleted = await KeyExpiry("test", 2 * DAY, batch=3).expire(conn)

        assert deleted == 7 + 4
        assert [r["key"] for r in await conn.fetch("SELECT key FROM test.idempotency_keys")] == ["fresh"]
        kept = await items.find(conn, digests)
        assert [r.ids for r in kept.values()] == [["c0"]]
        # What is gone is a new command: its key is free again.
        await commands.save(conn, IdempotencyKey("p", "old-0", "h"), b"{}")
