"""Runs each service as its own process, prefixes its output, restarts it when it dies.

A service that exits without being asked to is restarted after a back-off that grows with
quick successive failures (so a crash loop does not spin the CPU) and resets once the
service has stayed up for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Mapping

from libs.common.cancellation import stop_tasks
from libs.common.embedded.process import die_with_parent

log = logging.getLogger("tinhso")

STABLE_AFTER_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 10.0


class SupervisedService:
    def __init__(self, name: str, env: Mapping[str, str], *, module: str | None = None) -> None:
        """``name`` labels the process's output; ``module`` is what ``python -m`` runs
        (``services.<name>`` unless given)."""
        self.name = name
        self.env = dict(env)
        self.module = module or f"services.{name}"
        self.proc: asyncio.subprocess.Process | None = None
        self.restarts = 0
        self._stopping = False
        self._stop_event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"supervise-{self.name}")

    async def _run(self) -> None:
        backoff = 0.5
        while not self._stopping:
            started = time.monotonic()
            try:
                self.proc = await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    self.module,
                    env=self.env,
                    stdout=asyncio.subprocess.PIPE,
                    stderr=asyncio.subprocess.STDOUT,
                    preexec_fn=die_with_parent(),
                )
            except OSError as exc:  # no process at all: the same treatment as one that died
                self.restarts += 1
                log.error("%s could not be started (%s); retrying in %.1f s", self.name, exc, backoff)
                await self._nap(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            if self.stop_requested():  # asked to stop while the process was being created
                self.proc.send_signal(signal.SIGTERM)
            assert self.proc.stdout is not None
            await self._pump(self.proc.stdout)
            code = await self.proc.wait()
            if self.stop_requested():
                return
            if time.monotonic() - started > STABLE_AFTER_SECONDS:
                backoff = 0.5
            self.restarts += 1
            log.error(
                "%s exited with code %s; restarting in %.1f s (restart #%d)", self.name, code, backoff, self.restarts
            )
            await self._nap(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)

    def stop_requested(self) -> bool:
        return self._stopping

    async def _nap(self, seconds: float) -> None:
        """A back-off that a stop cuts short."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stop_event.wait()

    async def _pump(self, stream: asyncio.StreamReader) -> None:
        prefix = f"{self.name:<18} | "
        while line := await stream.readline():
            sys.stdout.write(prefix + line.decode(errors="replace"))
            sys.stdout.flush()

    async def stop(self, timeout: float = 15.0) -> None:
        self._stopping = True
        self._stop_event.set()
        proc = self.proc
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(timeout):
                    await proc.wait()
            except TimeoutError:
                log.warning("%s did not stop within %.0f s; killing it", self.name, timeout)
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
        if self._task is not None:
            # Let a spawn in progress finish (it sees _stopping and signals its child) rather
            # than cancel it half-way and leave the new child unsignalled.
            try:
                async with asyncio.timeout(timeout):
                    await asyncio.shield(self._task)
            except TimeoutError:
                if await stop_tasks([self._task], within=timeout):
                    log.warning("%s: its supervising task did not stop within %.0f s", self.name, timeout)


def child_environment(settings_env: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINHSO_")}
    env.update(settings_env)
    env["PYTHONUNBUFFERED"] = "1"
    return env
