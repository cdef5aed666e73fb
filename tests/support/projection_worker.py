"""The CounterTotals projection in a process of its own, so a test can SIGKILL it mid-batch.

Usage: ``python -m tests.support.projection_worker DATABASE_URL BOOTSTRAP TOPIC``

It runs until killed. Partitions are assigned manually (``group_id=None``): a restart goes
straight back to work instead of waiting about 5 s for a consumer-group join, and where to
resume comes from the checkpoints in PostgreSQL, which is what the crash test is about.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from libs.common.db import create_pool
from libs.common.projections.runner import ProjectionRunner
from tests.support.counter_projection import CounterTotals
from tests.support.event_keys import verifier

APPLICATION = "test-projection-worker"
"""Its connections show as ``tinhso-test-projection-worker`` in ``pg_stat_activity``."""


async def run(database_url: str, bootstrap: str, topic: str) -> None:
    pool = await create_pool(database_url, service=APPLICATION, max_size=2)
    try:
        runner = ProjectionRunner(
            CounterTotals(),
            pool,
            bootstrap=bootstrap,
            topics={"test": topic},
            verifier=verifier(topic),
            group_id=None,
            max_records=500,
        )
        await runner.run()
    finally:
        await pool.close()


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit("usage: python -m tests.support.projection_worker DATABASE_URL BOOTSTRAP TOPIC")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    database_url, bootstrap, topic = argv
    asyncio.run(run(database_url, bootstrap, topic))


if __name__ == "__main__":
    main(sys.argv[1:])
