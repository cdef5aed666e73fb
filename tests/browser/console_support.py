"""What the console's browser tests share: a gateway the page talks to that a test can restart
on the same port, a small real province to draw, and a page that records what went wrong.

The page is served by its own gateway replica (``ConsoleGateway``), not by the platform's,
so a test can stop it while the platform's gateway keeps taking commands, and start a new one
on the same address: the page reconnects to it and resumes from its cursor (docs/adr/0032).
"""

from __future__ import annotations

import csv
import datetime
import os
import re
import shutil
import socket
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import ConsoleMessage, Page, Request, Response

from services.gateway.app import create_app as gateway_app
from services.gateway.events.consumer import GatewayConsumer
from services.gateway.ioc import geography
from tests.integration.gateway.api_fixtures import REGISTER_CLUSTER, REGISTER_STATION, REPORT_SIGNAL, register_unit
from tests.integration.gateway.api_platform import Platform
from tests.support.http_server import Server, listening_socket

ARTIFACTS = Path(os.environ.get("TINHSO_TEST_ARTIFACTS", "test-artifacts")) / "browser"
"""Screenshots land here; ``.ci/run`` keeps the folder when the tests fail (git-ignored)."""

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def chromium_path() -> str:
    """The Debian ``chromium`` package's binary (``.ci/run`` installs it when missing)."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("no chromium on PATH: apt-get install -y chromium (the browser tests need it)")


class ConsoleGateway:
    """A gateway replica on a fixed loopback port that can be stopped and started again."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.sock: socket.socket = listening_socket()
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: Server | None = None

    async def start(self) -> None:
        if self.sock.fileno() < 0:
            self.sock = listening_socket(self.port)
        app = gateway_app(self.platform.settings)
        consumer: GatewayConsumer = app.state.consumer
        self.server = Server(app, self.sock)
        await self.server.start()

        async def ready() -> bool:
            return consumer.ready.is_set()

        await self.platform.eventually(ready, timeout=30)

    async def stop(self) -> None:
        if self.server is not None:
            await self.server.stop()
            self.server = None
        self.sock.close()


@dataclass
class Station:
    commune: str
    name: str
    district: str
    id: str
    clusters: list[str] = field(default_factory=list)

    @property
    def raw(self) -> str:
        return self.id.split(":", 1)[1]


@dataclass
class Province:
    stations: list[Station]

    def cluster(self, index: int = 0) -> tuple[Station, str]:
        station = self.stations[index]
        return station, station.clusters[0]


DISTRICTS = {"061": 3, "058": 2}
"""District -> how many of its communes (in code order) get a station with two clusters."""


async def seed_province(platform: Platform) -> Province:
    """Bắc Kạn, two of its districts and a few of their real communes (from the console's copy
    of the official list), each with an IP station and two clusters reporting signal."""
    with geography.UNITS.open(encoding="utf-8", newline="") as handle:
        units = list(csv.DictReader(handle))
    await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
    stations = []
    for district, count in DISTRICTS.items():
        name = next(u["name"] for u in units if u["code"] == district)
        await register_unit(platform, district, name, "DISTRICT", "06")
        for commune in sorted((u for u in units if u["parent_code"] == district), key=lambda u: u["code"])[:count]:
            await register_unit(platform, commune["code"], commune["name"], "COMMUNE", district)
            made = await platform.data(
                REGISTER_STATION,
                {"input": {"unitCode": commune["code"], "technology": "IP", "installedOn": "2022-01-01"}},
            )
            station = Station(commune["code"], commune["name"], district, made["registerRadioStation"]["id"])
            for _ in range(2):
                cluster = await platform.data(REGISTER_CLUSTER, {"input": {"stationId": station.id}})
                station.clusters.append(cluster["registerSpeakerCluster"]["id"])
                await report(platform, station.clusters[-1], "ONLINE")
            stations.append(station)
    return Province(stations)


async def report(platform: Platform, cluster: str, signal: str) -> None:
    observed = datetime.datetime.now(datetime.UTC).isoformat()
    await platform.data(REPORT_SIGNAL, {"input": {"clusterId": cluster, "signal": signal, "observedAt": observed}})


class Watched:
    """A page with every console error and failed request it had, and a screenshot at the end."""

    def __init__(self, page: Page, name: str) -> None:
        self.page = page
        self.name = re.sub(r"[^\w.-]+", "_", name)
        self.errors: list[str] = []
        self.failed: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def _failed(self, request: Request) -> None:
        self.failed.append(f"{request.failure} {request.url}")

    async def screenshot(self) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.name}.png"
        await self.page.screenshot(path=str(path))
        return path


async def sign_in(page: Page, url: str, key: str) -> Response:
    """Opens the console and signs in through its form, as an operator does; the page's answer."""
    response = await page.goto(f"{url}/ioc")
    assert response is not None
    await page.fill("#api-key", key)
    await page.click("#sign-in-form button[type=submit]")
    await page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    await page.wait_for_selector("#connection[data-state=live]", timeout=15_000)
    return response
