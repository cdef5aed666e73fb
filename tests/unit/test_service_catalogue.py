"""What cannot import the service catalogue (``contracts.services``) agrees with it.

The code derives its lists of services from the catalogue; the settings' fields, the README,
the docs pages and the deployment examples (``infra/``) restate them, so a service added,
renamed or moved to another port in one place and not the others fails here.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from contracts.services import CATALOGUE, EVENT_SOURCED, INTERNAL, SERVICES, Service, all_topics, service
from libs.common.settings import Settings, env_name

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
OFFSET = Settings().backbone_port_offset


def _processes() -> dict[str, tuple[Service, int]]:
    """Each process a deployment runs (API, and a backbone for an event-sourced service) and its port."""
    found = {s.name: (s, s.default_port) for s in CATALOGUE}
    found |= {f"{s.name}-backbone": (s, s.default_port + OFFSET) for s in CATALOGUE if s.event_sourced}
    return found


def _documents(path: Path) -> list[dict[str, Any]]:
    return [msgspec.yaml.decode(part) for part in path.read_text().split("\n---\n") if part.strip()]


def _k8s(kind: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((INFRA / "k8s" / "base").glob("*.yaml")):
        for doc in _documents(path):
            if doc.get("kind") == kind:
                found[doc["metadata"]["name"]] = doc
    return found


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = msgspec.yaml.decode((INFRA / "docker-compose.yml").read_bytes())
    return compose


def _topic_loop(script: str) -> tuple[str, ...]:
    """The services a shell script creates topics for (``for service in a b c; do``)."""
    [names] = re.findall(r"for service in ([a-z ]+); do", script)
    return tuple(names.split())


def test_the_catalogue_names_each_service_once_and_lists_them_by_kind() -> None:
    assert len(set(SERVICES)) == len(SERVICES)
    assert tuple(s.name for s in CATALOGUE if s.topic is not None) == EVENT_SOURCED
    assert tuple(s.name for s in CATALOGUE if s.url_setting is not None) == INTERNAL
    assert service("gateway").internal is False
    with pytest.raises(KeyError, match=", ".join(SERVICES)):
        service("nope")


def test_every_runnable_package_under_services_is_in_the_catalogue() -> None:
    runnable = {path.parent.name for path in (ROOT / "services").glob("*/__main__.py")}
    assert runnable == set(SERVICES)


def test_each_event_sourced_service_has_its_topic_and_projections_and_only_those() -> None:
    assert [topic.service for topic in all_topics()] == list(EVENT_SOURCED)
    for entry in CATALOGUE:
        has_module = (ROOT / "services" / entry.name / "entrypoints" / "projections.py").exists()
        assert has_module == entry.event_sourced, entry.name
        if entry.projections_module is not None:
            assert importlib.import_module(entry.projections_module).PROJECTIONS, entry.name


def test_the_settings_declare_each_service_port_and_url_with_the_catalogue_defaults() -> None:
    fields = Settings.__struct_fields__
    defaults = Settings()
    assert {f for f in fields if f.endswith("_port")} == {s.port_setting for s in CATALOGUE}
    not_services = {"database_url", "jwt_jwks_url", "source_webhook_url"}  # the other URLs a process is given
    assert {f for f in fields if f.endswith("_url")} - not_services == {s.url_setting for s in CATALOGUE} - {None}
    for entry in CATALOGUE:
        assert getattr(defaults, entry.port_setting) == entry.default_port, entry.name
        assert defaults.port_of(entry.name) == entry.default_port


def test_the_readme_settings_table_gives_each_service_port_and_url() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `(TINHSO_[A-Z_]+)` \| (`[^`]*`|empty) \|", readme, flags=re.MULTILINE))
    assert {k for k in rows if k.endswith("_PORT")} == {env_name(s.port_setting) for s in CATALOGUE}
    for entry in CATALOGUE:
        assert rows[env_name(entry.port_setting)] == f"`{entry.default_port}`", entry.name
        if entry.url_setting is not None:
            assert rows[env_name(entry.url_setting)] == "empty", entry.name


def test_the_readme_and_docs_describe_each_service_on_its_port() -> None:
    readme = (ROOT / "README.md").read_text()
    for entry in CATALOGUE:
        assert f"- **{entry.name}** (:{entry.default_port}," in readme, entry.name
        pages = list((ROOT / "docs" / "services").glob(f"{entry.name}*.md"))
        assert pages, f"docs/services/ has no page for {entry.name}"
        assert all(f"docs/services/{page.name}" in readme for page in pages), entry.name


def test_the_compose_file_runs_each_service_on_its_port_with_its_url_and_topic() -> None:
    compose = _compose()
    runs = {name: s for name, s in compose["services"].items() if s.get("command", [None])[:2] == ["python", "-m"]}
    assert set(runs) == set(_processes())
    for name, (entry, port) in _processes().items():
        assert runs[name]["command"] == ["python", "-m", entry.package], name
        if name == "gateway":  # the one process published on the host
            assert runs[name]["ports"] == [f"{port}:{port}"], name
        else:
            assert "ports" not in runs[name], name
            assert runs[name]["expose"] == [str(port)], name
    environment = compose["x-tinhso-environment"]
    urls = {k: v for k, v in environment.items() if k.endswith("_URL") and k != "TINHSO_DATABASE_URL"}
    assert urls == {env_name(s.url_setting): f"http://{s.name}:{s.default_port}" for s in CATALOGUE if s.url_setting}
    assert _topic_loop(compose["services"]["topics"]["command"][0]) == EVENT_SOURCED


def test_the_kubernetes_manifests_run_each_service_on_its_port_with_its_url_and_topic() -> None:
    deployments = _k8s("Deployment")
    assert set(deployments) == set(_processes())
    for name, (entry, port) in _processes().items():
        [container] = deployments[name]["spec"]["template"]["spec"]["containers"]
        assert container["command"][-2:] == ["-m", entry.package], name
        assert [p["containerPort"] for p in container["ports"]] == [port], name
    services = _k8s("Service")
    assert {name: [p["port"] for p in s["spec"]["ports"]] for name, s in services.items()} == {
        s.name: [s.default_port] for s in CATALOGUE
    }
    [gateway] = deployments["gateway"]["spec"]["template"]["spec"]["containers"]
    urls = {e["name"]: e.get("value") for e in gateway["env"] if e["name"].endswith("_URL")}
    assert urls == {env_name(s.url_setting): f"http://{s.name}:{s.default_port}" for s in CATALOGUE if s.url_setting}
    [job] = _k8s("Job")["tinhso-topics"]["spec"]["template"]["spec"]["containers"]
    assert _topic_loop(job["args"][0]) == EVENT_SOURCED


def test_the_province_time_zone_is_declared_once() -> None:
    """``contracts.province.PROVINCE_TZ`` is the province's clock; no module makes its own."""
    offset = re.compile(r"timedelta\(\s*hours\s*=\s*7\s*\)|ZoneInfo\(\s*[\"']Asia/Ho_Chi_Minh")
    declaring = [
        str(path.relative_to(ROOT))
        for package in ("contracts", "libs", "services", "bench")
        for path in (ROOT / package).rglob("*.py")
        if offset.search(path.read_text())
    ]
    assert declaring == ["contracts/province.py"]
