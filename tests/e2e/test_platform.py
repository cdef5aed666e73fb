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
from services.gateway.security.dev_key import KEY_FILE
from tests.e2e.approval_gateway import (
    APPROVE,
    DISTRICT,
    QUARTER,
    REGISTER_UNIT,
    REOPEN,
    REPORT,
    STATUS,
    VALUES,
    Gateway,
    partner_keys,
)
from tests.e2e.platform_process import BACKBONES, SERVICES, PlatformProcess, wait_gone

# One `tinhso up` at a time: `make test` runs a file's tests on one worker (`--dist loadfile`),
# so these stay in this one file. Each start is an initdb and seven processes importing at once,
# most of two cores, and two side by side would test the machine against the 60 s readiness
# deadline rather than the platform (ADR 0033).
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


def test_a_districts_quarter_is_submitted_approved_locked_refused_and_reopened(tmp_path: Path) -> None:
    """Issue #22's "Done when", ADR 0055: Ba Bể's centre reports its telecom figures for a
    quarter and submits them, approves them as their district; the province's approval locks
    them; a correction is refused with 409 and a code; the province reopens them with a reason
    and the correction is accepted. Only through the gateway (GraphQL and ``/api/v1``); every
    step is on the live feed."""
    # A loaded machine: the platform's readiness deadline is not what this test is about.
    platform = PlatformProcess(tmp_path / "state", {"TINHSO_READY_TIMEOUT_SECONDS": "240"})
    try:
        _a_districts_quarter(platform)
    finally:
        platform.kill_everything()


def _a_districts_quarter(platform: PlatformProcess) -> None:
    platform.start()
    platform.wait_ready(timeout=240)
    gateway = Gateway(platform, partner_keys(platform.database_url()))
    for code, name, level, parent in (
        ("06", "Tỉnh Bắc Kạn", "PROVINCE", None),
        (DISTRICT, "Huyện Ba Bể", "DISTRICT", "06"),
    ):
        unit = {"code": code, "name": name, "level": level, "parentCode": parent, "validFrom": "2020-01-01"}
        gateway.data("admin", REGISTER_UNIT, {"input": unit})
    for code, value in VALUES.items():
        gateway.report_when_known(code, value)
    cursor = gateway.data("admin", "{ liveCursor }")["liveCursor"]
    key = {"indicator_set": "telecom", "unit_code": DISTRICT, "period": QUARTER}
    graph_key = {"indicatorSet": "telecom", "unitCode": DISTRICT, "period": QUARTER}

    # The centre submits (REST), then approves as the district (GraphQL); the province's
    # approval (REST) locks the quarter.
    submitted = gateway.rest("centre", "/approvals/submit", key)
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted"), submitted.text
    early = gateway.rest("province", "/approvals/approve", {**key, "level": "province"})
    assert (early.status_code, early.json()["code"]) == (409, "approval_out_of_order"), early.text
    district = gateway.data("centre", APPROVE, {"input": {**graph_key, "level": "DISTRICT"}})["approveData"]
    assert district["status"] == "DISTRICT_APPROVED"
    not_theirs = gateway.rest("centre", "/approvals/approve", {**key, "level": "province"})
    assert (not_theirs.status_code, not_theirs.json()["code"]) == (403, "approval_step_not_yours")
    locked = gateway.rest(
        "province", "/approvals/approve", {**key, "level": "province"}
    )  # retried with its key, it would answer the same
    assert (locked.status_code, locked.json()["status"]) == (200, "locked"), locked.text
    status = gateway.data("admin", STATUS, {"period": QUARTER})["dataApproval"]
    assert status["status"] == "LOCKED"
    assert [(s["step"], s["by"]) for s in status["steps"]] == [
        ("SUBMITTED", "partner:e2e-ba-be"),
        ("DISTRICT_APPROVED", "partner:e2e-ba-be"),
        ("PROVINCE_APPROVED", "partner:e2e-so-tt"),
        ("LOCKED", None),
    ]

    # A correction of a locked value: 409 with a code, on REST and GraphQL alike.
    correction = {"indicator_code": "telecom.fibre_km", "unit_code": DISTRICT, "period": QUARTER, "value": 415.0}
    refused = gateway.rest("centre", "/indicator-values/report", correction)
    assert (refused.status_code, refused.json()["code"]) == (409, "data_locked"), refused.text
    variables = {"input": {"indicatorCode": "telecom.fibre_km", "unitCode": DISTRICT, "period": QUARTER, "value": 415}}
    [error] = gateway.graphql("centre", REPORT, variables)["errors"]
    assert error["extensions"]["code"] == "DATA_LOCKED"

    # Reopened by the province with a reason: the correction is accepted.
    reason = "Chiều dài cáp quang quý III báo cáo thiếu tuyến Chợ Rã"
    reopened = gateway.data("province", REOPEN, {"input": {**graph_key, "reason": reason}})["reopenData"]
    assert reopened["status"] == "OPEN"
    assert reopened["steps"][-1] == {"step": "REOPENED", "reason": reason}
    accepted = gateway.rest("centre", "/indicator-values/report", correction)
    assert accepted.status_code == 200, accepted.text

    # Every step went out on the live feed, in order (one stream).
    events = gateway.feed(cursor, 5)
    assert [e["type"] for e in events] == [
        "metrics.data_submitted",
        "metrics.data_approved",
        "metrics.data_approved",
        "metrics.data_locked",
        "metrics.data_reopened",
    ]
    assert {e["unitCode"] for e in events} == {DISTRICT}
    assert [e["data"].get("level") for e in events[1:3]] == ["district", "province"]
    assert platform.stop() == 0


GROUP_READS = """query($code: String!, $group: String!) {
  ranking(indexCode: $code, period: "2023", level: COMMUNE, group: $group) { rank score unit { code } }
  completeness(codes: [$code], period: "2023", level: COMMUNE, group: $group) {
    edges { node { expected reported missing { code } } } }
}"""


def test_a_unit_group_s_ranking_and_completeness_through_the_gateway(tmp_path: Path) -> None:
    """Issue #22, unit groups (ADR 0056): a partner defines a group of two of three communes
    through the running gateway; the ranking and the completeness scoped to the group show its
    members only, as the metrics service learned them from the registry's events."""
    # This test is about the group, not the start-up deadline: a loaded machine gets longer.
    platform = PlatformProcess(tmp_path / "state", {"TINHSO_READY_TIMEOUT_SECONDS": "180"})
    try:
        _group_reads_through_a_running_gateway(platform)
    finally:
        platform.kill_everything()


def _group_reads_through_a_running_gateway(platform: PlatformProcess) -> None:
    platform.start()
    platform.wait_ready(timeout=180)
    key = (platform.state_dir / KEY_FILE).read_text("utf-8").strip()
    client = httpx.Client(base_url=platform.url("gateway", ""), headers={"authorization": f"Bearer {key}"}, timeout=30)

    def data(query: str, variables: dict[str, object]) -> dict[str, object]:
        answer = client.post("/graphql", json={"query": query, "variables": variables}).json()
        assert not answer.get("errors"), answer
        found: dict[str, object] = answer["data"]
        return found

    register = "mutation($input: RegisterUnitInput!) { registerUnit(input: $input) { code } }"
    units = [("06", "PROVINCE", None), ("061", "DISTRICT", "06")] + [(f"0610{c}", "COMMUNE", "061") for c in range(3)]
    for code, level, parent in units:
        data(register, {"input": {"code": code, "name": f"Đơn vị {code}", "level": level, "parentCode": parent,
                                  "validFrom": "2020-01-01"}})  # fmt: skip
    data("mutation($input: CreateUnitGroupInput!) { createUnitGroup(input: $input) { code } }",
         {"input": {"code": "PILOT", "name": "Xã thí điểm"}})  # fmt: skip
    for member in ("06100", "06101"):
        data("mutation($input: AddUnitGroupMemberInput!) { addUnitGroupMember(input: $input) { code } }",
             {"input": {"groupCode": "PILOT", "unitCode": member, "joinedOn": "2023-01-01"}})  # fmt: skip
    indicator = "e2e.groups"
    definition = {
        "code": indicator, "nameVi": "Chỉ tiêu", "nameEn": "Indicator", "unit": "%", "kind": "STOCK",
        "rollup": "AVERAGE", "method": "REPORTED", "group": "e2e",
    }  # fmt: skip
    define = "mutation($input: DefineIndicatorsInput!) { defineIndicators(input: $input) { code } }"
    data(define, {"input": {"indicators": [definition]}})

    report = "mutation($input: ReportIndicatorValueInput!) { reportIndicatorValue(input: $input) { value } }"
    deadline = time.monotonic() + 60
    for unit_code, value in (("06100", 70.0), ("06102", 95.0)):  # the second is outside the group
        variables = {"input": {"indicatorCode": indicator, "unitCode": unit_code, "period": "2023", "value": value}}
        while True:  # the metrics service learns the units from the registry's events a moment later
            answer = client.post("/graphql", json={"query": report, "variables": variables}).json()
            if not answer.get("errors") or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert not answer.get("errors"), answer
    while True:
        found = data(GROUP_READS, {"code": indicator, "group": "PILOT"})
        [complete] = [e["node"] for e in found["completeness"]["edges"]]  # type: ignore[index]
        if (complete["expected"], complete["reported"]) == (2, 1) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert complete == {"expected": 2, "reported": 1, "missing": [{"code": "06101"}]}
    assert found["ranking"] == [{"rank": 1, "score": 70.0, "unit": {"code": "06100"}}]
    client.close()
    assert platform.stop() == 0
