"""Files checked against a published JSON schema by ``check-jsonschema``, which carries them.

The compose file against the compose specification's schema (what ``docker compose config``
validates, without needing the compose plugin), the CI workflows against GitHub's.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

VENDORED = {"compose": "vendor.compose-spec", "github-workflows": "vendor.github-workflows"}


def schema_problems(schema: str, files: list[Path]) -> list[str]:
    """check-jsonschema's report when the files do not validate; empty when they do."""
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", VENDORED[schema], *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode == 0:
        return []
    return [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
