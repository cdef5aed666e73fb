"""The image's HEALTHCHECK (``services.cli.healthcheck``) against real sockets on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from libs.common.embedded.process import free_port
from libs.common.settings import load_settings
from services.cli.healthcheck import ports, verdict

HOST = "127.0.0.1"


def _server(status: int) -> Iterator[int]:
    class Health(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status if self.path == "/health/ready" else 404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((HOST, 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.fixture
def ready() -> Iterator[int]:
    yield from _server(200)


@pytest.fixture
def not_ready() -> Iterator[int]:
    yield from _server(503)


def test_a_container_whose_process_is_ready_is_healthy_and_other_containers_ports_do_not_count(ready: int) -> None:
    assert verdict(HOST, [free_port(HOST), ready]) == (True, f"ready on port {ready}")


def test_a_process_that_answers_not_ready_makes_the_container_unhealthy(ready: int, not_ready: int) -> None:
    assert verdict(HOST, [ready, not_ready]) == (False, f"not ready on port {not_ready}")


def test_a_container_where_nothing_listens_is_unhealthy() -> None:
    assert verdict(HOST, [free_port(HOST)]) == (False, f"no tinhso process answers on {HOST}")


def test_the_ports_asked_are_every_api_and_backbone_port_of_the_settings() -> None:
    settings = load_settings({"TINHSO_REGISTRY_PORT": "9001", "TINHSO_BACKBONE_PORT_OFFSET": "50"})
    assert ports(settings) == [9001, 8002, 8003, 8000, 9051, 8052, 8053]
