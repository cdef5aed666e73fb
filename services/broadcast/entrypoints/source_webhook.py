"""The source webhook: a background task that posts each aired result of a received bulletin to
``TINHSO_SOURCE_WEBHOOK_URL`` until its receiver accepts it (ADR 0054).

It works from ``broadcast.source_results``, which the source-results projection fills from the
delivery events, so a result survives a restart or an unreachable receiver: each round leases
the due rows (a second replica skips them), posts them in order, and marks each accepted or
due again after a backoff that doubles up to ``TINHSO_SOURCE_WEBHOOK_RETRY_MAX_SECONDS``.
Delivery is at least once: a sender that dies between a post and its mark posts it again when
the lease ends, with the same ``delivery_id`` for the receiver to recognise.
"""

from __future__ import annotations

import asyncio
import datetime
import logging

import asyncpg
import httpx

from libs.common.settings import Settings
from services.broadcast.adapters import source_results
from services.broadcast.adapters.source_webhook_client import WebhookClient
from services.broadcast.domain.period import utc_now
from services.broadcast.domain.source_link import retry_delay

log = logging.getLogger(__name__)

INTERVAL = 0.5
BATCH = 100


async def post_due(pool: asyncpg.Pool, webhook: WebhookClient, settings: Settings) -> int:
    """One round: the results due now, each posted once; how many were due."""
    lease = datetime.timedelta(seconds=BATCH * settings.source_webhook_timeout_seconds + 30)
    async with pool.acquire() as conn, conn.transaction():
        due = await source_results.claim_due(conn, utc_now(), lease, BATCH)
    for item in due:
        error = await webhook.post(item.result)
        async with pool.acquire() as conn:
            if error is None:
                await source_results.posted(conn, item.result.sequence, utc_now())
                continue
            pause = retry_delay(
                item.attempts + 1, settings.source_webhook_retry_seconds, settings.source_webhook_retry_max_seconds
            )
            await source_results.refused(
                conn, item.result.sequence, error, utc_now() + datetime.timedelta(seconds=pause)
            )
        log.warning("source webhook refused result %s (%s); next try in %.1f s", item.result.delivery_id, error, pause)
    return len(due)


async def run_source_webhook(pool: asyncpg.Pool, settings: Settings) -> None:
    timeout = httpx.Timeout(settings.source_webhook_timeout_seconds)
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        webhook = WebhookClient(client, settings.source_webhook_url, settings.source_webhook_secret)
        while True:
            try:
                if await post_due(pool, webhook, settings) < BATCH:
                    await asyncio.sleep(INTERVAL)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep posting: a failed round (the database away) is retried after a pause
                log.exception("the source webhook round failed; retrying in 5 s")
                await asyncio.sleep(5.0)
