"""Runs ``tinhso up`` as a real subprocess for end-to-end tests."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

import httpx
import psutil

from contracts.services import EVENT_SOURCED, SERVICES
from libs.common.embedded.process import free_port, port_in_use
from libs.common.settings import load_settings

__all__ = ["BACKBONES", "SERVICES", "PlatformProcess", "wait_gone"]

BACKBONES = EVENT_SOURCED
"""The services ``tinhso up`` runs as an api and a backbone process."""
BACKBONE_PORT_OFFSET = load_settings({}).backbone_port_offset
START_LOCK = Path(tempfile.gettempdir()) / "tinhso-e2e-start.lock"
"""Held from a start until its platform is ready: one ``tinhso up`` starts at a time across the
test workers. A start is an initdb and seven processes importing at once, most of two cores;
two side by side would test the machine against the readiness deadline, not the platform."""


def _port_with_a_free_backbone_port() -> int:
    """A free port whose backbone port (+ the offset) is free as well."""
    while True:
        port = free_port()
        if port + BACKBONE_PORT_OFFSET <= 65535 and not port_in_use("127.0.0.1", port + BACKBONE_PORT_OFFSET):
            return port


class PlatformProcess:
    def __init__(self, state_dir: Path, extra_env: dict[str, str] | None = None) -> None:
        self.state_dir = state_dir
        self.ports = {service: _port_with_a_free_backbone_port() for service in SERVICES}
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TINHSO_")}
        self.env.update({f"TINHSO_{s.upper()}_PORT": str(p) for s, p in self.ports.items()})
        self.env["TINHSO_STATE_DIR"] = str(state_dir)
        self.env.update(extra_env or {})
        self.log_path = state_dir / f"up-{time.monotonic_ns()}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self._start_lock: IO[bytes] | None = None

    def url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}{path}"

    def backbone_url(self, service: str, path: str) -> str:
        return f"http://127.0.0.1:{self.ports[service] + BACKBONE_PORT_OFFSET}{path}"

    def service_process(self, service: str, role: str) -> psutil.Process:
        """The supervisor's child running ``service`` in ``role`` (api, backbone or all)."""
        for child in self.descendants():
            with contextlib.suppress(psutil.Error):
                if (
                    f"services.{service}" in " ".join(child.cmdline())
                    and child.environ().get("TINHSO_SERVICE_ROLE") == role
                ):
                    return child
        raise AssertionError(f"no {role} process of {service}:\n{self.output}")

    def start(self) -> None:
        """Starts ``tinhso up`` once no other test's platform is starting (``START_LOCK``);
        :meth:`wait_ready`, :meth:`stop` or :meth:`kill_everything` lets the next one start."""
        self._release_start_lock()
        self._start_lock = START_LOCK.open("ab")
        fcntl.flock(self._start_lock, fcntl.LOCK_EX)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "services.cli.main", "up"], env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> float:
        assert self.proc is not None
        try:
            return self._wait_ready(timeout)
        finally:
            self._release_start_lock()

    def _release_start_lock(self) -> None:
        if self._start_lock is not None:
            self._start_lock.close()  # closing the file releases its lock
            self._start_lock = None

    def _wait_ready(self, timeout: float) -> float:
        assert self.proc is not None
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise AssertionError(f"tinhso up exited with {self.proc.returncode}:\n{self.output}")
            # The banner comes after every service answered ready, so it marks the whole platform.
            if "tinhso is up." in self.output:
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(self.url("gateway", "/health/ready"), timeout=1).status_code == 200:
                        return time.monotonic() - started
            time.sleep(0.2)
        raise AssertionError(f"not ready within {timeout} s:\n{self.output}")

    def database_url(self) -> str:
        match = re.search(r"PostgreSQL\s+(postgresql://\S+)", self.output)
        assert match, self.output
        return match.group(1)

    def descendants(self) -> list[psutil.Process]:
        assert self.proc is not None
        return psutil.Process(self.proc.pid).children(recursive=True)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60.0) -> int:
        assert self.proc is not None
        self._release_start_lock()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise

    def kill_everything(self) -> None:
        """Last-resort cleanup so a failing test does not leave servers behind."""
        self._release_start_lock()
        if self.proc is None:
            return
        with contextlib.suppress(psutil.NoSuchProcess):
            for child in self.descendants():
                with contextlib.suppress(psutil.NoSuchProcess):
                    child.kill()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def wait_gone(processes: list[psutil.Process], timeout: float = 15.0) -> list[psutil.Process]:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return alive
