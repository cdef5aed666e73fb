"""One folded-projection runner in a process of its own, for figure 4's scale-out row.

Usage: ``python -m bench._projection_worker DATABASE_URL BOOTSTRAP TOPIC STORE_SCHEMA NAME PARTITIONS``
(``PARTITIONS`` comma-separated). Prints ``ready`` once it is imported and connected, starts
its runner when a line arrives on stdin (so start-up is not timed, as it is not for the
baselines either), and runs until it is stopped.
"""

from __future__ import annotations

import asyncio
import sys

import uvloop

from bench._common import quiet_logging
from bench._projections import TotalsFolded
from libs.common.db import create_pool
from libs.common.projections.runner import ProjectionRunner
from tests.support.event_keys import verifier


async def run(argv: list[str]) -> None:
    database_url, bootstrap, topic, store_schema, name, partitions = argv
    pool = await create_pool(database_url, service="bench-projection-worker", max_size=2, min_size=2)
    try:
        runner = ProjectionRunner(
            TotalsFolded(name, store_schema=store_schema),
            pool,
            bootstrap=bootstrap,
            topics={store_schema: topic},
            verifier=verifier(topic),
            group_id=None,
            partitions=frozenset(int(p) for p in partitions.split(",")),
        )
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        await runner.run()
    finally:
        await pool.close()


def main(argv: list[str]) -> None:
    if len(argv) != 6:
        raise SystemExit(__doc__)
    quiet_logging()
    uvloop.run(run(argv))


if __name__ == "__main__":
    main(sys.argv[1:])
