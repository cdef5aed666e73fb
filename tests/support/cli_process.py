"""The ``tinhso`` command in its own process, as an operator runs it beside the platform.

Long commands (a demo seed) run this way rather than through Click's runner in a thread: a
thread would share the interpreter lock with the services the test runs in-process, and both
would take about twice as long on two cores.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from pathlib import Path


async def run_tinhso(env: Mapping[str, str], *args: str) -> tuple[int, str]:
    """Run ``tinhso ARGS`` with the test's ``TINHSO_*`` settings only; its exit code and output."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TINHSO_")}
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("tinhso")),
        *args,
        env={**environment, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()
