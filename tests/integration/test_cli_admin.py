"""``tinhso admin``: an operator reads /admin of running processes without minting a token.

The counter service runs as two real uvicorn servers on loopback, an API process and its
backbone process at the API's port + 100, as ``tinhso up`` places them. The command is
pointed at the API process and has to follow its redirect.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import msgspec
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from litestar import Litestar, get
from litestar.response import Redirect

from libs.common.settings import ServiceRole, Settings
from services.cli import admin as admin_cli
from tests.support.counter_projection import wait_until_applied
from tests.support.counter_service import counter_service
from tests.support.http_server import Server, listening_socket
from tests.support.principals import ADMIN, PrincipalAuth


def _sockets_offset_by(offset: int) -> tuple[socket.socket, socket.socket]:
    for _ in range(20):
        api = listening_socket()
        try:
            return api, listening_socket(api.getsockname()[1] + offset)
        except OSError:  # that port is taken: try another pair
            api.close()
    raise RuntimeError(f"no free pair of loopback ports {offset} apart")


@pytest.fixture
async def api_url(settings: Settings, store_pool: asyncpg.Pool) -> AsyncIterator[str]:
    """The API process's URL, after 4 commands have been applied by its backbone process."""
    api_sock, backbone_sock = _sockets_offset_by(settings.backbone_port_offset)
    api_app, _ = counter_service(msgspec.structs.replace(settings, service_role=ServiceRole.API))
    backbone_app, _ = counter_service(msgspec.structs.replace(settings, service_role=ServiceRole.BACKBONE))
    servers = [Server(backbone_app, backbone_sock), Server(api_app, api_sock)]
    try:
        for server in servers:
            await server.start()
        url = f"http://127.0.0.1:{servers[1].port}"
        async with httpx.AsyncClient(base_url=url, auth=PrincipalAuth(settings, ADMIN, "test")) as client:
            for n in range(4):
                response = await client.post(f"/counters/c-{n % 2}/increment", json={"by": 1})
                assert response.status_code == 201, response.text
        await wait_until_applied(store_pool, 4)
        yield url
    finally:
        for server in servers:
            await server.stop()
        for sock in (api_sock, backbone_sock):
            with contextlib.suppress(OSError):
                sock.close()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    # The counter service stands in for a platform service: the service list is all that is faked.
    monkeypatch.setattr(admin_cli, "EVENT_SOURCED", ("test",))
    return {"TINHSO_STATE_DIR": settings.state_dir}


def _cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(admin_cli.admin, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


async def _until_settled(env: dict[str, str], url: str) -> tuple[str, str]:
    """The relay's and the projections' report once all 4 events are published and applied."""
    async with asyncio.timeout(20):
        while True:
            _, relay, _ = await asyncio.to_thread(_cli, env, "relay", "test", "--url", url)
            _, projections, _ = await asyncio.to_thread(_cli, env, "projections", "test", "--url", url)
            if "published=4 pending=0" in relay and "lag_events=?" not in projections and "applied=4" in projections:
                return relay, projections
            await asyncio.sleep(0.2)


async def test_the_live_figures_are_read_through_the_api_process(
    cli_env: dict[str, str], api_url: str, settings: Settings
) -> None:
    relay, projections = await _until_settled(cli_env, api_url)

    assert relay.startswith("relay test       active topic=")
    assert f"topic={settings.topic('test')} published=4 pending=0 republished=0 last_error=-" in relay
    first, *partitions = projections.splitlines()
    assert first.split()[:4] == ["projection", "test_totals", "running", "applied=4"]
    assert "dead_lettered=0" in first
    assert 1 <= len(partitions) <= settings.kafka_partitions  # the partitions its events went to
    assert all(p.strip().startswith(settings.topic("test")) and "lag_events=0" in p for p in partitions)

    code, out, _ = await asyncio.to_thread(_cli, cli_env, "relay", "test", "--url", api_url, "--json")
    assert code == 0
    answer = msgspec.json.decode(out)
    assert answer["service"] == "test"
    assert (answer["admin"]["active"], answer["admin"]["published"]) == (True, 4)


async def test_a_token_the_services_do_not_trust_is_reported_in_a_line(
    cli_env: dict[str, str], api_url: str, tmp_path: Path
) -> None:
    stranger = tmp_path / "stranger.pem"
    stranger.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    env = {**cli_env, "TINHSO_PRINCIPAL_PRIVATE_KEY_FILE": str(stranger)}
    code, out, err = await asyncio.to_thread(_cli, env, "relay", "test", "--url", api_url)
    assert code == 1
    assert out == ""
    assert "answered 401: the principal token is not valid" in err
    assert "Traceback" not in err


async def test_bad_arguments_a_missing_key_and_a_silent_address_are_one_line_each(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    code, _, err = await asyncio.to_thread(_cli, cli_env, "relay", "nope")
    assert code == 2
    assert "nope (known: test)" in err
    code, _, err = await asyncio.to_thread(_cli, cli_env, "projections", "test", "test", "--url", "http://x")
    assert code == 2
    assert "--url names one process" in err

    no_key = {**cli_env, "TINHSO_PRINCIPAL_PRIVATE_KEY_FILE": str(tmp_path / "missing.pem")}
    code, _, err = await asyncio.to_thread(_cli, no_key, "relay", "test", "--url", "http://127.0.0.1:9")
    assert code == 2
    assert "cannot read the gateway's signing key" in err

    with listening_socket() as closed:
        port = closed.getsockname()[1]
    code, _, err = await asyncio.to_thread(_cli, cli_env, "relay", "test", "--url", f"http://127.0.0.1:{port}")
    assert code == 1
    assert f"test: no answer from http://127.0.0.1:{port}/admin/relay (ConnectError" in err
    assert "Traceback" not in err


@get("/elsewhere/admin/relay", sync_to_thread=False)
def _redirect_elsewhere() -> Redirect:
    return Redirect("http://elsewhere.invalid:8101/admin/relay", status_code=307)


@get("/other/admin/relay", sync_to_thread=False)
def _not_the_figures() -> dict[str, int]:
    return {"hello": 1}


async def test_the_token_does_not_follow_a_redirect_to_another_host_and_a_stranger_s_answer_is_named(
    cli_env: dict[str, str],
) -> None:
    server = Server(Litestar([_redirect_elsewhere, _not_the_figures]), listening_socket())
    await server.start()
    try:
        base = f"http://127.0.0.1:{server.port}"
        redirected = await asyncio.to_thread(_cli, cli_env, "relay", "test", "--url", f"{base}/elsewhere")
        other = await asyncio.to_thread(_cli, cli_env, "relay", "test", "--url", f"{base}/other", "--json")
    finally:
        await server.stop()
    code, out, err = redirected
    assert code == 1
    assert out == ""
    assert "redirects to another host (http://elsewhere.invalid:8101/admin/relay); ask that one with --url" in err
    code, out, err = other
    assert code == 1
    assert out == ""
    assert "test: the answer is not the /admin figures" in err
    assert "Traceback" not in err


async def test_without_url_every_service_is_asked_where_the_settings_place_it(
    cli_env: dict[str, str], api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No SERVICE and no ``--url``: each event-sourced service at ``TINHSO_<SERVICE>_URL`` (else
    this host's port for it); one that does not answer is a line of its own. The process placed
    at the registry's URL is the test service: it refuses a token signed for the registry
    (ADR 0021), which also shows the command asked there, as the registry."""
    monkeypatch.setattr(admin_cli, "EVENT_SOURCED", ("registry", "broadcast"))
    with listening_socket() as closed:
        port = closed.getsockname()[1]
    env = {**cli_env, "TINHSO_REGISTRY_URL": api_url, "TINHSO_BROADCAST_URL": f"http://127.0.0.1:{port}"}
    code, out, err = await asyncio.to_thread(_cli, env, "relay")
    assert code == 1
    assert out == ""
    registry, broadcast = err.strip().splitlines()
    assert registry.startswith(
        f"tinhso: registry: {api_url}/admin/relay answered 401: the principal token is not valid"
    )
    assert broadcast.startswith(f"tinhso: broadcast: no answer from http://127.0.0.1:{port}/admin/relay (ConnectError")
