"""Which ``tinhso up`` owns a state directory, and where its servers are.

``up`` holds an exclusive lock on ``<state>/platform.lock`` for its whole life and writes
``platform.json`` (its pid, then the URLs once the servers run). A second ``up`` fails on the
lock; other commands (``migrate``, ``seed``, ``projections``, ``dlq``) read the file and use
the running platform's database instead of starting a second PostgreSQL on the same data
directory. The kernel drops the lock when the process dies, so a crash leaves nothing stale.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO

import msgspec


class PlatformInfo(msgspec.Struct, frozen=True):
    pid: int
    database_url: str = ""
    kafka_bootstrap: str = ""

    @property
    def starting(self) -> bool:
        return not self.database_url


class AlreadyRunningError(RuntimeError):
    pass


class Ownership:
    """The lock and the state file of the ``up`` that owns a state directory."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self._lock: IO[bytes] | None = None

    def acquire(self) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        lock = (self.state / "platform.lock").open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            other = running(self.state)
            who = f" (pid {other.pid})" if other else ""
            raise AlreadyRunningError(f"tinhso is already running from {self.state}{who}") from None
        self._lock = lock
        self.publish("", "")

    def publish(self, database_url: str, kafka_bootstrap: str) -> None:
        tmp = self.state / "platform.json.tmp"
        tmp.write_bytes(msgspec.json.encode(PlatformInfo(os.getpid(), database_url, kafka_bootstrap)))
        tmp.replace(self.state / "platform.json")

    def release(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.state / "platform.json").unlink()
        if self._lock is not None:
            self._lock.close()  # closing drops the flock
            self._lock = None


def running(state: Path) -> PlatformInfo | None:
    """The platform running from this state directory, or ``None``."""
    lock_path = state / "platform.lock"
    if not lock_path.exists():
        return None
    with lock_path.open("ab") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass  # held: a platform is running
        else:
            fcntl.flock(probe, fcntl.LOCK_UN)
            return None
    try:
        return msgspec.json.decode((state / "platform.json").read_bytes(), type=PlatformInfo)
    except (FileNotFoundError, msgspec.DecodeError):
        return PlatformInfo(pid=0)
