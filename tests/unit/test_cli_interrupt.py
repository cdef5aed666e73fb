"""Ctrl-C while the installed ``tinhso`` command is still loading its modules: exit 130, no
traceback (the CLI's convention, ``services.cli.console``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "tinhso"
"""The console script the installer wrote, as ``make demo`` runs it."""
LOADING = "libs.common"
"""A module the command imports early, long before it has finished importing the rest."""


ATTEMPTS = 5
"""Tries before the test gives up on interrupting the imports: on a loaded machine the command
can finish importing before the signal is sent; such a try says nothing, and is made again."""


def _interrupted_while_importing(environment: dict[str, str]) -> tuple[str, list[str], int]:
    """The command's output, its stderr lines other than import times, and its exit status,
    interrupted once it has begun to import ``LOADING``."""
    # -X importtime reports each import as it ends: the first of LOADING's says the command is
    # importing, with the heavy part (the gateway's schema, the service clients) still to come.
    process = subprocess.Popen(
        [sys.executable, "-X", "importtime", str(SCRIPT), "simulate", "--help"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    seen: list[str] = []
    for line in process.stderr:
        seen.append(line)
        if LOADING in line:
            process.send_signal(signal.SIGINT)
            break
    try:
        out, err = process.communicate(timeout=60)
    finally:
        process.kill()
    errors = [line for line in (*seen, *err.splitlines(keepends=True)) if not line.startswith("import time:")]
    return out, errors, process.returncode


def test_ctrl_c_while_the_command_imports_exits_130_without_a_traceback() -> None:
    """Failed before the fix: the interrupt surfaced in the script's own top-level import of
    ``services.cli.main`` and printed a traceback, exit 1."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TINHSO_", "OTEL_"))}
    for _ in range(ATTEMPTS):
        out, errors, status = _interrupted_while_importing(environment)
        assert not any("Traceback" in line or "KeyboardInterrupt" in line for line in errors), "".join(errors)
        if "Usage" not in out:
            assert status == 130
            return
    raise AssertionError(f"the interrupt came after the imports in {ATTEMPTS} tries: the test did not exercise them")
