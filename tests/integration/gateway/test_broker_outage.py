"""A broker outage does not take the API down: commands are taken, readiness holds, and the
outbox publishes what was recorded once the broker answers again.

The broker is a dedicated embedded one, stopped with SIGSTOP (a process that holds its sockets
open and answers nothing, as a broker lost behind a network partition does): the session's
shared broker serves every other test and is left alone.
"""

from __future__ import annotations

import functools
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from prometheus_client.parser import text_string_to_metric_families

from libs.common.embedded.broker import EmbeddedBroker
from libs.common.settings import Settings
from tests.integration.gateway.api_platform import Platform, start_platform

UNITS = [
    {"kind": "register_unit", "code": "06", "name": "Tỉnh Bắc Kạn", "level": "province", "valid_from": "2020-01-01"},
    {"kind": "register_unit", "code": "061", "name": "Huyện Ba Bể", "level": "district", "parent_code": "06",
     "valid_from": "2020-01-01"},
]  # fmt: skip


@pytest.fixture
async def own_broker(tmp_path: Path) -> AsyncIterator[EmbeddedBroker]:
    broker = EmbeddedBroker(tmp_path / "broker.log")
    broker.start()
    try:
        yield broker
    finally:
        assert broker.pid is not None
        os.kill(broker.pid, signal.SIGCONT)  # a test that failed while it was stopped
        broker.stop()


def _samples(exposition: str, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    found: dict[tuple[tuple[str, str], ...], float] = {}
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == name:
                found[tuple(sorted(sample.labels.items()))] = sample.value
    return found


async def _ready(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.get(f"{url}/health/ready")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_commands_are_taken_while_the_broker_is_stopped_and_published_when_it_returns(
    settings: Settings, own_broker: EmbeddedBroker
) -> None:
    """Failed before readiness stopped requiring the broker: /health/ready answered 503."""
    assert own_broker.pid is not None
    async for platform in start_platform(msgspec.structs.replace(settings, kafka_bootstrap=own_broker.bootstrap)):
        os.kill(own_broker.pid, signal.SIGSTOP)
        try:
            imported = await platform.http.post("/api/v1/import", json=UNITS, headers=platform.auth("writer"))
            assert imported.status_code == 200, imported.text
            assert imported.json()["created"] == 2

            gateway = await _ready(platform.url)
            assert gateway["status"] == "ready"
            assert gateway["checks"] == {"database": "ok"}
            assert gateway["reported"]["broker"] != "ok"
            assert gateway["reported"]["registry"] == "ok"  # the service is ready too
            registry = await _ready(platform.settings.service_url("registry"))
            assert registry["reported"]["broker"] != "ok"
            assert registry["reported"]["relay"].startswith("2 events not yet published")

            scrape = (await platform.http.get(f"{platform.settings.service_url('registry')}/metrics")).text
            assert _samples(scrape, "tinhso_relay_backlog_events")[(("service", "registry"),)] == 2
            assert _samples(scrape, "tinhso_relay_lag_seconds")[(("service", "registry"),)] > 0
            up = _samples(scrape, "tinhso_dependency_up")
            assert up[(("dependency", "broker"), ("required", "false"), ("service", "registry"))] == 0
            assert up[(("dependency", "database"), ("required", "true"), ("service", "registry"))] == 1
        finally:
            os.kill(own_broker.pid, signal.SIGCONT)

        await platform.eventually(functools.partial(_district_listed, platform), timeout=60)
        registry = await _ready(platform.settings.service_url("registry"))
        assert registry["reported"] == {"broker": "ok", "relay": "ok"}


async def _district_listed(platform: Platform) -> bool:
    """The registry's projection read the import's events from the broker: they were published."""
    response = await platform.http.get("/api/v1/units", params={"level": "district"}, headers=platform.auth("reader"))
    return response.status_code == 200 and response.json()["total_count"] == 1
