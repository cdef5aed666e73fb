"""What a test uses to run projection workers as processes of their own and to feed them.

``Worker`` starts ``tests.support.projection_worker`` (and SIGKILLs it, so nothing in it gets
to clean up); ``relaying`` runs the outbox relay of the ``test`` store in the test's process.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from aiokafka import AIOKafkaProducer

from libs.common.cancellation import stop_tasks
from libs.common.embedded.process import die_with_parent
from libs.common.relay import OutboxRelay
from tests.support.event_keys import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """The projection subprocess; every start appends its output to one log file."""

    def __init__(self, database_url: str, bootstrap: str, topic: str, log_path: Path, group: str | None = None) -> None:
        self.args = [sys.executable, "-m", "tests.support.projection_worker", database_url, bootstrap, topic]
        if group is not None:
            self.args.append(group)
        self.log_path = log_path
        self.log = log_path.open("ab")
        self.proc: asyncio.subprocess.Process | None = None
        self.starts = 0

    async def start(self) -> None:
        assert self.proc is None or self.proc.returncode is not None, "the previous worker is still running"
        self.proc = await asyncio.create_subprocess_exec(
            *self.args,
            cwd=ROOT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent(),  # a dying test run takes the worker with it
        )
        self.starts += 1

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()  # SIGKILL
            await self.proc.wait()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        self.log.close()


@contextlib.asynccontextmanager
async def relaying(database_url: str, bootstrap: str, topic: str, partitions: int) -> AsyncIterator[OutboxRelay]:
    """The outbox relay, in this process, publishing the ``test`` store to ``topic``."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, linger_ms=2)
    relay = OutboxRelay(
        database_url, "test", topic, lambda: producer, signing_key=TEST_KEY, bootstrap=bootstrap, partitions=partitions
    )
    await producer.start()
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        stuck = await stop_tasks([task], within=30)
        await producer.stop()  # before the check, so that a failure leaves no producer open
        assert stuck == [], "a task did not stop"
