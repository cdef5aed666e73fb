"""A small file in the state directory that says a ``tinhso up`` is running, and where.

Other commands (``migrate``, ``projections``, ``dlq``) use it to talk to the running
platform's database instead of starting a second PostgreSQL on the same data directory.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import msgspec
import psutil


class PlatformInfo(msgspec.Struct, frozen=True):
    pid: int
    database_url: str
    kafka_bootstrap: str


def _path(state: Path) -> Path:
    return state / "platform.json"


def write(state: Path, database_url: str, kafka_bootstrap: str) -> None:
    state.mkdir(parents=True, exist_ok=True)
    tmp = _path(state).with_suffix(".tmp")
    tmp.write_bytes(msgspec.json.encode(PlatformInfo(os.getpid(), database_url, kafka_bootstrap)))
    tmp.replace(_path(state))


def remove(state: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        _path(state).unlink()


def running(state: Path) -> PlatformInfo | None:
    """The running platform for this state directory, or ``None`` (a stale file is ignored)."""
    try:
        info = msgspec.json.decode(_path(state).read_bytes(), type=PlatformInfo)
    except (FileNotFoundError, msgspec.DecodeError):
        return None
    try:
        cmdline = " ".join(psutil.Process(info.pid).cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return info if "tinhso" in cmdline or "services.cli" in cmdline else None
