"""What a running service process gives an operator: JSON log lines with the request's trace id,
an access line per request, and a Prometheus scrape at /metrics. docs/operations.md shows a log
line and a scrape; the fields and names it shows are checked here against the real ones.

The registry runs as its own process (``python -m services.registry``), as ``tinhso up`` and a
container run it, with its stderr a pipe: JSON is what it writes by default there.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from libs.common.embedded.broker import EmbeddedBroker
from libs.common.embedded.postgres import EmbeddedPostgres
from libs.common.embedded.process import free_port
from libs.common.migrations import apply_migrations
from libs.common.settings import Settings, load_settings
from services.cli.catalogue import all_migrations
from tests.support.principals import READER, principal_headers

OPERATIONS_DOC = Path(__file__).parents[2] / "docs" / "operations.md"
TRACE_ID = "0af7651916cd43dd8448eb211c80319c"


@dataclass
class RunningService:
    url: str
    process: asyncio.subprocess.Process
    lines: list[str] = field(default_factory=list)

    async def json_line(self, matches: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """The first JSON line the process wrote whose fields include ``matches``."""
        assert self.process.stderr is not None
        async with asyncio.timeout(timeout):
            while True:
                for line in self.lines:
                    record = json.loads(line)
                    if matches.items() <= record.items():
                        return dict(record)
                raw = await self.process.stderr.readline()
                assert raw, "the service exited:\n" + "\n".join(self.lines)
                self.lines.append(raw.decode())


@pytest.fixture(scope="module")
async def module_settings(
    postgres: EmbeddedPostgres, broker: EmbeddedBroker, state_dir: Path
) -> AsyncIterator[Settings]:
    """One database for the module's tests: they share one registry process (its start is seconds)."""
    name = "t_" + uuid.uuid4().hex[:12]
    admin = await asyncpg.connect(postgres.url)
    await admin.execute(f"CREATE DATABASE {name}")
    try:
        url = postgres.url.rsplit("/", 1)[0] + "/" + name
        conn = await asyncpg.connect(url)
        await apply_migrations(conn, all_migrations())
        await conn.close()
        yield load_settings(
            {},
            database_url=url,
            kafka_bootstrap=broker.bootstrap,
            kafka_enable_idempotence="off",
            projection_assignment="manual",
            topic_prefix="t" + uuid.uuid4().hex[:8],
            state_dir=str(state_dir),
        )
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await admin.close()


@pytest.fixture(scope="module")
async def registry_process(module_settings: Settings) -> AsyncIterator[RunningService]:
    settings = module_settings
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TINHSO_", "OTEL_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.registry",
        env={**environment, **settings.to_env(), "TINHSO_REGISTRY_PORT": str(port)},
        stderr=asyncio.subprocess.PIPE,
    )
    service = RunningService(f"http://127.0.0.1:{port}", process)
    try:
        async with httpx.AsyncClient() as client, asyncio.timeout(30):
            while True:
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(f"{service.url}/health/live")).status_code == 200:
                        break
                assert process.returncode is None, "the registry exited"
                await asyncio.sleep(0.1)
        yield service
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        await process.wait()


def _documented_log_line() -> dict[str, Any]:
    text = OPERATIONS_DOC.read_text()
    found = re.search(r"<!-- log-line -->\s*```json\n(.*?)\n```", text, re.DOTALL)
    assert found, "docs/operations.md has no example log line"
    line: dict[str, Any] = json.loads(found.group(1))
    return line


async def test_a_request_is_logged_as_a_json_line_carrying_its_trace_id_and_partner(
    registry_process: RunningService, module_settings: Settings
) -> None:
    settings = module_settings
    path = "/units/by-code"
    headers = {
        **principal_headers(settings, READER, service="registry", method="GET", path=path),
        "traceparent": f"00-{TRACE_ID}-b7ad6b7169203331-01",
    }
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{registry_process.url}{path}", params={"codes": "06"}, headers=headers)

    line = await registry_process.json_line({"logger": "tinhso.access", "route": path})
    assert line["trace_id"] == TRACE_ID
    assert re.fullmatch(r"[0-9a-f]{16}", line["span_id"])
    assert line["level"] == "INFO"
    assert line["service"] == "registry"
    assert line["method"] == "GET"
    assert line["path"] == path
    assert line["status"] == response.status_code
    assert line["partner"] == READER.partner
    assert 0 < line["duration_ms"] < 10_000
    written = datetime.datetime.fromisoformat(line["timestamp"])
    assert written.utcoffset() == datetime.timedelta(0)
    assert abs((datetime.datetime.now(datetime.UTC) - written).total_seconds()) < 60
    # Every field the operations guide shows is one a real line has.
    assert set(_documented_log_line()) <= set(line), set(_documented_log_line()) - set(line)


async def test_a_running_service_serves_its_figures_at_metrics_without_a_token(
    registry_process: RunningService, module_settings: Settings
) -> None:
    settings = module_settings
    async with httpx.AsyncClient() as client:
        await client.get(f"{registry_process.url}/health/ready")  # fills tinhso_dependency_up
        response = await client.get(f"{registry_process.url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    families = list(text_string_to_metric_families(response.text))

    def value(name: str, **labels: str) -> float:
        found = [s.value for f in families for s in f.samples if s.name == name and s.labels == labels]
        assert len(found) == 1, (name, labels)
        return found[0]

    def label_values(name: str, label: str) -> dict[str, float]:
        return {s.labels[label]: s.value for f in families for s in f.samples if s.name == name}

    assert value("tinhso_db_pool_connections", service="registry", state="max") == settings.db_pool_size
    assert value("tinhso_relay_backlog_events", service="registry") == 0
    assert value("tinhso_relay_lag_seconds", service="registry") == 0
    assert value("tinhso_relay_published_total", service="registry") >= 0
    assert (
        value("tinhso_http_requests_total", service="registry", route="/health/ready", method="GET", status="200") >= 1
    )
    assert value("tinhso_dependency_up", service="registry", dependency="database", required="true") == 1
    assert "registry_units" in label_values("tinhso_projection_applied_total", "projection")
    dead = label_values("tinhso_dead_letters", "projection")
    assert "registry_units" in dead
    assert set(dead.values()) == {0}
