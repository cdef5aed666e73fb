"""``tinhso up`` as a user runs it: a subprocess, real ports, real embedded servers."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest

from contracts.services import INTERNAL
from libs.common.embedded.broker import EmbeddedBroker
from libs.common.embedded.postgres import EmbeddedPostgres
from libs.common.principal import Principal, PrincipalSigner, PrincipalVerifier
from libs.common.settings import load_settings
from services.cli.catalogue import all_migrations
from tests.e2e.platform_process import BACKBONES, SERVICES, PlatformProcess, wait_gone

# A platform starts only while no other test's is starting (`platform_process.START_LOCK`):
# a start is an initdb and seven processes importing at once, and the tests here measure it
# against the 60 s readiness deadline. Issue #22's rules run on one platform of their own in
# `test_regulations.py`.
pytestmark = pytest.mark.slow


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[PlatformProcess]:
    process = PlatformProcess(tmp_path / "state")
    yield process
    process.kill_everything()


def admin_headers(state_dir: Path, service: str, path: str) -> dict[str, str]:
    """What the gateway would send ``service`` for an admin's ``GET path``, signed with the key
    ``tinhso up`` made (a token is for one service and request, ADR 0021)."""
    signer = PrincipalSigner.from_settings(load_settings({}, state_dir=str(state_dir)))
    admin = Principal(subject="test:admin", partner="TEST", scopes=frozenset({"admin"}))
    return signer.headers(admin, service=service, method="GET", path=path)


def _sql(url: str, query: str) -> object:
    async def run() -> object:
        conn = await asyncpg.connect(url)
        try:
            if query.lstrip().upper().startswith("SELECT"):
                return await conn.fetchval(query)
            return await conn.execute(query)
        finally:
            await conn.close()

    return asyncio.run(run())


def test_up_brings_every_service_to_ready_and_stops_without_leaving_a_process(platform: PlatformProcess) -> None:
    platform.start()
    elapsed = platform.wait_ready(timeout=60)
    assert elapsed < 60

    for service in SERVICES:
        assert httpx.get(platform.url(service, "/health/live")).status_code == 200
        assert httpx.get(platform.url(service, "/health/ready")).status_code == 200
    # Ready needs the database only; the broker and the services are reported once they answer.
    deadline = time.monotonic() + 30
    while True:
        gateway = httpx.get(platform.url("gateway", "/health/ready")).json()
        if gateway["reported"] == dict.fromkeys(("broker", *INTERNAL), "ok") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert gateway["checks"] == {"database": "ok"}
    assert gateway["reported"] == dict.fromkeys(("broker", *INTERNAL), "ok")
    assert "GraphQL + explorer" in platform.output
    assert "/graphql" in platform.output
    assert "IOC console" in platform.output  # and the running gateway serves it
    console = httpx.get(platform.url("gateway", "/ioc"))
    assert console.status_code == 200
    assert 'src="/ioc/js/main.js"' in console.text
    graphql = httpx.post(platform.url("gateway", "/graphql"), json={"query": "{ platform { version } }"})
    assert graphql.json()["data"]["platform"]["version"]

    children = platform.descendants()
    names = " ".join(" ".join(p.cmdline()) for p in children)
    assert "postgres" in names
    assert "tansu" in names
    assert all(f"services.{s}" in names for s in SERVICES)

    # Each event-sourced service runs its relay and projections in a process of its own; its
    # API process sends operators there for the figures.
    for service in BACKBONES:
        principal = admin_headers(platform.state_dir, service, "/admin/relay")
        assert platform.service_process(service, "api").pid != platform.service_process(service, "backbone").pid
        assert httpx.get(platform.backbone_url(service, "/health/ready")).status_code == 200
        relay = httpx.get(platform.backbone_url(service, "/admin/relay"), headers=principal)
        assert relay.status_code == 200, relay.text
        assert relay.json()["active"] is True
        sent = httpx.get(platform.url(service, "/admin/relay"), headers=principal)
        assert sent.status_code == 307
        assert sent.headers["location"] == platform.backbone_url(service, "/admin/relay")
    assert platform.service_process("gateway", "all")

    assert platform.stop(signal.SIGINT) == 0
    assert wait_gone(children) == []


def test_data_written_before_a_stop_is_there_after_the_next_up(platform: PlatformProcess) -> None:
    platform.start()
    platform.wait_ready()
    url = platform.database_url()
    _sql(url, "CREATE TABLE public.kept (note text); INSERT INTO public.kept VALUES ('Ba Bể')")
    assert platform.stop() == 0

    again = PlatformProcess(platform.state_dir)
    try:
        again.start()
        again.wait_ready()
        assert _sql(again.database_url(), "SELECT note FROM public.kept") == "Ba Bể"
        assert again.stop() == 0
    finally:
        again.kill_everything()


def test_a_service_that_dies_is_restarted_and_becomes_ready_again(platform: PlatformProcess) -> None:
    platform.start()
    platform.wait_ready()
    registry = platform.service_process("registry", "api")
    registry.kill()
    registry.wait(10)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(platform.url("registry", "/health/ready"), timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    else:
        pytest.fail("registry was not restarted:\n" + platform.output)
    assert "registry exited with code" in platform.output

    backbone = platform.service_process("registry", "backbone")
    backbone.kill()
    backbone.wait(10)
    deadline = time.monotonic() + 30
    while "registry-backbone exited with code" not in platform.output and time.monotonic() < deadline:
        time.sleep(0.2)
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError, psutil.Error, AssertionError):
            restarted = platform.service_process("registry", "backbone")
            ready = httpx.get(platform.backbone_url("registry", "/health/ready"), timeout=1).status_code == 200
            if restarted.pid != backbone.pid and ready:
                break
        time.sleep(0.2)
    else:
        pytest.fail("registry's backbone process was not restarted:\n" + platform.output)
    assert platform.stop() == 0


def test_a_killed_supervisor_takes_its_children_with_it(platform: PlatformProcess) -> None:
    platform.start()
    platform.wait_ready()
    children = platform.descendants()
    assert platform.stop(signal.SIGKILL) == -signal.SIGKILL
    assert wait_gone(children, timeout=30) == []


def _run_up(env_extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    process = PlatformProcess(tmp_path / "state", env_extra)
    return subprocess.run(
        [sys.executable, "-m", "services.cli.main", "up"],
        env=process.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_unknown_log_level_is_one_clear_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    result = _run_up({"TINHSO_LOG_LEVEL": "loud"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "TINHSO_LOG_LEVEL='loud' is invalid" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_port_in_use_is_named_and_nothing_is_started(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run_up({"TINHSO_REGISTRY_PORT": str(port)}, tmp_path)
    assert result.returncode == 1
    assert f"TINHSO_REGISTRY_PORT={port}: port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "state" / "pgdata").exists()


def test_an_unreachable_database_url_is_named(tmp_path: Path) -> None:
    result = _run_up({"TINHSO_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/nowhere"}, tmp_path)
    assert result.returncode == 1
    assert "TINHSO_DATABASE_URL: cannot connect" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "state" / "broker.log").exists(), "the broker must not start after a database failure"


def test_a_second_up_on_the_same_state_is_refused_and_migrate_uses_the_running_database(
    platform: PlatformProcess,
) -> None:
    platform.start()
    platform.wait_ready()
    postgres = [p for p in platform.descendants() if p.name() == "postgres"]
    second = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "up"],
        env={**platform.env, **{f"TINHSO_{s.upper()}_PORT": "1" for s in SERVICES}},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert second.returncode == 1
    assert "already running" in second.stderr
    migrate = subprocess.run(
        [sys.executable, "-m", "services.cli.main", "migrate"],
        env=platform.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert migrate.returncode == 0, migrate.stderr
    assert "up to date" in migrate.stdout
    assert all(p.is_running() for p in postgres), "migrate must not touch the running PostgreSQL"
    # Still serving: a readiness probe may miss once on a loaded machine (each check has a
    # 2 s budget), so it is asked for a few seconds rather than at one instant.
    _assert_ready_within(platform, 10.0)
    assert platform.stop() == 0


def test_configured_database_and_broker_are_used_and_nothing_embedded_is_started(
    tmp_path: Path, postgres: EmbeddedPostgres, broker: EmbeddedBroker
) -> None:
    database = f"e2e_{uuid.uuid4().hex[:8]}"
    _sql(postgres.url, f"CREATE DATABASE {database}")
    url = postgres.url.rsplit("/", 1)[0] + "/" + database
    process = PlatformProcess(
        tmp_path / "state",
        {
            "TINHSO_DATABASE_URL": url,
            "TINHSO_KAFKA_BOOTSTRAP": broker.bootstrap,
            "TINHSO_TOPIC_PREFIX": database,
            # A configured broker gets an idempotent producer by default; this one is Tansu.
            "TINHSO_KAFKA_ENABLE_IDEMPOTENCE": "off",
        },
    )
    try:
        process.start()
        process.wait_ready()
        names = [p.name() for p in process.descendants()]
        assert "postgres" not in names
        assert not any("tansu" in n for n in names)
        assert not (tmp_path / "state" / "pgdata").exists()
        assert _sql(url, "SELECT count(*) FROM public.tinhso_migrations") == len(all_migrations())
        assert process.stop() == 0
    finally:
        process.kill_everything()


def _assert_ready_within(platform: PlatformProcess, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    answer = ""
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            response = httpx.get(platform.url("gateway", "/health/ready"), timeout=3)
            if response.status_code == 200:
                return
            answer = response.text
        time.sleep(0.2)
    raise AssertionError(f"the platform stopped answering ready: {answer}")


def test_a_service_without_its_key_file_says_so_in_a_line_until_tinhso_keys_makes_the_pair(tmp_path: Path) -> None:
    env = PlatformProcess(
        tmp_path / "state",
        {
            "TINHSO_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none",
            "TINHSO_KAFKA_BOOTSTRAP": "127.0.0.1:9",
            "TINHSO_PRINCIPAL_PUBLIC_KEY_FILE": str(tmp_path / "public" / "principal.pub.pem"),
            "TINHSO_PRINCIPAL_PRIVATE_KEY_FILE": str(tmp_path / "gateway" / "principal.pem"),
        },
    ).env

    def run(*argv: str, role: str = "all") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", *argv],
            env={**env, "TINHSO_SERVICE_ROLE": role},
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    # An API process verifies callers and needs no event key; a backbone's relay signs with one (ADR 0022).
    for service, setting, role in (
        ("registry", "PRINCIPAL_PUBLIC_KEY_FILE", "api"),
        ("registry", "EVENT_KEYS_DIR", "backbone"),
        ("gateway", "PRINCIPAL_PRIVATE_KEY_FILE", "all"),
    ):
        refused = run(f"services.{service}", role=role)
        assert refused.returncode == 2, refused.stderr
        assert refused.stderr.strip().count("\n") == 0
        assert f"tinhso {service}: cannot read" in refused.stderr
        assert f"TINHSO_{setting}" in refused.stderr
        assert "Traceback" not in refused.stderr

    made = run("services.cli.main", "keys")
    assert made.returncode == 0, made.stderr
    assert f"created private key (the gateway's only): {tmp_path / 'gateway' / 'principal.pem'}" in made.stdout
    assert made.stdout.count("created event key") == 3
    signer = PrincipalSigner.from_settings(load_settings(env))
    call = {"method": "GET", "path": "/admin/relay"}
    token = signer.sign(Principal(subject="x"), service="registry", **call)
    verifier = PrincipalVerifier.from_settings(load_settings(env), service="registry")
    assert verifier.verify(token, **call) == Principal(subject="x")
    again = run("services.cli.main", "keys")
    assert again.stdout.startswith("kept private key")
    assert "kept public key" in again.stdout
    (tmp_path / "public" / "principal.pub.pem").unlink()
    derived = run("services.cli.main", "keys")
    assert derived.stdout.startswith("kept private key")
    assert "derived public key" in derived.stdout
    # A token lives seconds: one signed now with the key kept all along.
    token = signer.sign(Principal(subject="x"), service="registry", method="GET", path="/admin/projections")
    verifier = PrincipalVerifier.from_settings(load_settings(env), service="registry")
    assert verifier.verify(token, method="GET", path="/admin/projections") == Principal(subject="x")
