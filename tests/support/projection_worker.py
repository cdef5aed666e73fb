"""The CounterTotals projection in a process of its own, so a test can SIGKILL it mid-batch.

Usage: ``python -m tests.support.projection_worker DATABASE_URL BOOTSTRAP TOPIC [GROUP]``

It runs until killed. Without GROUP, partitions are assigned manually (``group_id=None``): a
restart goes straight back to work instead of waiting about 5 s for a consumer-group join,
and where to resume comes from the checkpoints in PostgreSQL, which is what the crash test is
about. With GROUP it joins that consumer group, as the replicas of a scaled-out projection
do, and logs each assignment the group gives it (the scale-out test reads them).
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


async def run(database_url: str, bootstrap: str, topic: str, group: str | None) -> None:
    pool = await create_pool(database_url, service=APPLICATION, max_size=2)
    try:
        runner = ProjectionRunner(
            CounterTotals(),
            pool,
            bootstrap=bootstrap,
            topics={"test": topic},
            verifier=verifier(topic),
            group_id=group,
            max_records=500,
        )
        await runner.run()
    finally:
        await pool.close()


def main(argv: list[str]) -> None:
    if len(argv) not in (3, 4):
        raise SystemExit("usage: python -m tests.support.projection_worker DATABASE_URL BOOTSTRAP TOPIC [GROUP]")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("libs.common.projections.runner").setLevel(logging.INFO)  # the assignments
    database_url, bootstrap, topic, *group = argv
    asyncio.run(run(database_url, bootstrap, topic, group[0] if group else None))


if __name__ == "__main__":
    main(sys.argv[1:])
