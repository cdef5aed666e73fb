"""Every example of ``docs/integrating.md`` runs, in the page's order, against a running gateway:
each ```sh block with bash (curl, and ``tinhso`` for the key), each ```python block with this
interpreter, in a scratch folder, with ``API_URL``, ``API_KEY``, ``STATION_ID`` and
``CLUSTER_ID`` set as the page tells the reader to (a Python block headed ``# name.py`` is
also saved under that name, for a later shell block that runs it). A block that fails (a non-zero exit: curl's
``--fail-with-body``, an assertion, ``raise_for_status``) fails the test with its output, so
the page cannot promise what the API does not do."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from tests.integration.gateway.api_fixtures import build_province
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.bulk_support import raw, seen_by_broadcast

__all__ = ["platform"]

PAGE = Path(__file__).resolve().parents[3] / "docs" / "integrating.md"
BLOCK = re.compile(r"^```(sh|python)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
SAVED_AS = re.compile(r"# (\w+\.py)\n")
KEY = re.compile(r"\btsk_[A-Za-z0-9_\-]+")


def examples() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(PAGE.read_text())]


async def run(language: str, code: str, env: dict[str, str], folder: Path) -> str:
    command = ["bash", "-euo", "pipefail", "-c", code] if language == "sh" else [sys.executable, "-c", code]
    process = await asyncio.create_subprocess_exec(
        *command, env=env, cwd=folder, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    try:
        output, _ = await asyncio.wait_for(process.communicate(), 90)
    except TimeoutError:
        process.kill()
        raise AssertionError(f"this example did not finish within 90 s:\n{code}") from None
    text = output.decode()
    assert process.returncode == 0, f"this example failed ({process.returncode}):\n{code}\n--- output ---\n{text}"
    return text


def test_the_page_has_each_step_in_curl_and_in_python() -> None:
    text = PAGE.read_text()
    steps = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    assert [s.split("\n", 1)[0] for s in steps] == [
        "1. Getting a key",
        "2. A query",
        "3. A mutation with an idempotency key",
        "4. A bulk upload",
        "5. A subscription",
        "6. Handling 429 and errors",
    ]
    for step in steps:
        blocks = [m.group(1) for m in BLOCK.finditer(step)]
        assert "python" in blocks, step.split("\n", 1)[0]
        assert any("curl" in m.group(2) for m in BLOCK.finditer(step) if m.group(1) == "sh"), step.split("\n", 1)[0]


async def test_every_example_on_the_integrators_page_runs(platform: Platform, tmp_path: Path) -> None:
    province = await build_province(platform, communes=1, villages=1)
    commune = province.communes[0]
    await seen_by_broadcast(platform, raw(province.clusters[commune][0]))
    bin_dir = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TINHSO_")}
    env.update(
        PATH=f"{bin_dir}:{env.get('PATH', '')}",
        API_URL=platform.url,
        TINHSO_DATABASE_URL=platform.settings.database_url,
        STATION_ID=raw(province.stations[commune]),
        CLUSTER_ID=raw(province.clusters[commune][0]),
    )
    blocks = examples()
    assert len(blocks) >= 12
    for language, code in blocks:
        if language == "python" and (name := SAVED_AS.match(code)):  # the page tells the reader to save it so
            (tmp_path / name.group(1)).write_text(code)
        output = await run(language, code, env, tmp_path)
        if "tinhso partners create" in code:
            found = KEY.search(output)
            assert found, f"no key in what `tinhso partners create` printed:\n{output}"
            env["API_KEY"] = found.group(0)
