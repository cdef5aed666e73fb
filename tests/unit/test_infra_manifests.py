"""The deployment examples (infra/) read as the code expects them to.

Nothing here runs Docker or Kubernetes; these checks catch what would stop every pod at
start: a TINHSO_ variable that is not a setting (exit 2), or a service without the principal
public key it verifies callers with (ADR 0006).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import msgspec
import pytest

from contracts.services import EVENT_SOURCED
from libs.common.settings import Settings, env_name, load_settings
from services.gateway.graphql.limits import Limits

INFRA = Path(__file__).resolve().parents[2] / "infra"
SETTINGS = {env_name(field) for field in Settings.__struct_fields__}
SERVICES = EVENT_SOURCED
"""The services with a backbone process beside their API (ADR 0012)."""


def _documents(path: Path) -> list[dict[str, Any]]:
    text = path.read_text()
    return [msgspec.yaml.decode(part) for part in text.split("\n---\n") if part.strip()]


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


def _tinhso_names(names: list[str]) -> set[str]:
    return {n for n in names if n.startswith("TINHSO_")}


def test_every_tinhso_variable_of_the_examples_is_a_setting() -> None:
    configmap = _k8s("ConfigMap")["tinhso"]["data"]
    in_k8s = _tinhso_names(list(configmap))
    for deployment in _k8s("Deployment").values():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            in_k8s |= _tinhso_names([e["name"] for e in container.get("env", [])])
    compose = _compose()
    in_compose = _tinhso_names(list(compose["x-tinhso-environment"]))
    for service in compose["services"].values():
        environment = service.get("environment") or {}
        in_compose |= _tinhso_names(list(environment))
    assert in_k8s - SETTINGS == set()
    assert in_compose - SETTINGS == set()


def _mounted_key_files(pod: dict[str, Any], container: dict[str, Any]) -> set[str]:
    """The files the Secret's volumes put in the container, by path."""
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    files = set()
    for mount in container.get("volumeMounts", []):
        secret = volumes[mount["name"]].get("secret", {})
        files |= {f"{mount['mountPath']}/{item['path']}" for item in secret.get("items", [])}
    return files


@pytest.mark.parametrize("deployment", [*SERVICES, *(f"{s}-backbone" for s in SERVICES), "gateway"])
def test_each_kubernetes_pod_has_the_public_key_and_only_the_gateway_the_private_one(deployment: str) -> None:
    configmap = _k8s("ConfigMap")["tinhso"]["data"]
    pod = _k8s("Deployment")[deployment]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    files = _mounted_key_files(pod, container)
    assert configmap["TINHSO_PRINCIPAL_PUBLIC_KEY_FILE"] in files
    assert (configmap["TINHSO_PRINCIPAL_PRIVATE_KEY_FILE"] in files) == (deployment == "gateway")


def test_each_compose_service_has_the_public_key_and_only_the_gateway_the_private_one() -> None:
    compose = _compose()
    environment = compose["x-tinhso-environment"]
    public_dir = str(Path(environment["TINHSO_PRINCIPAL_PUBLIC_KEY_FILE"]).parent)
    private_dir = str(Path(environment["TINHSO_PRINCIPAL_PRIVATE_KEY_FILE"]).parent)
    runs_a_service = {
        name: service
        for name, service in compose["services"].items()
        if service.get("command", [None])[:2] == ["python", "-m"]
    }
    assert set(runs_a_service) == {*SERVICES, *(f"{s}-backbone" for s in SERVICES), "gateway"}
    for name, service in runs_a_service.items():
        mounted = {volume.split(":")[1] for volume in service.get("volumes", [])}
        assert public_dir in mounted, name
        assert (private_dir in mounted) == (name == "gateway"), name
        assert "keys" in service["depends_on"], name
    keys = compose["services"]["keys"]
    assert keys["command"] == ["tinhso", "keys"]
    assert {volume.split(":")[1] for volume in keys["volumes"]} == {
        public_dir,
        private_dir,
        environment["TINHSO_EVENT_KEYS_DIR"],
    }


READS = {
    "registry-backbone": {"registry"},
    "broadcast-backbone": {"broadcast", "registry"},
    "metrics-backbone": {"metrics", "registry", "broadcast"},
    "gateway": set(EVENT_SOURCED),
}
"""The event keys each process needs (ADR 0022): its relay's, and those of the topics it reads."""


@pytest.mark.parametrize("deployment", [*SERVICES, *READS])
def test_each_kubernetes_pod_has_the_event_keys_of_the_topics_it_signs_or_reads_and_no_other(deployment: str) -> None:
    configmap = _k8s("ConfigMap")["tinhso"]["data"]
    pod = _k8s("Deployment")[deployment]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    files = _mounted_key_files(pod, container)
    wanted = {f"{configmap['TINHSO_EVENT_KEYS_DIR']}/{s}.key" for s in READS.get(deployment, ())}
    assert {f for f in files if f.endswith(".key")} == wanted
    if wanted:  # 0440: readable through the pod's group only
        assert pod["securityContext"]["fsGroup"] == 10001


def test_each_compose_process_that_signs_or_reads_a_topic_mounts_the_event_keys() -> None:
    compose = _compose()
    keys_dir = compose["x-tinhso-environment"]["TINHSO_EVENT_KEYS_DIR"]
    assert keys_dir in (INFRA / "Dockerfile").read_text()
    for name in (*SERVICES, *READS):
        mounted = {volume.split(":")[1] for volume in compose["services"][name].get("volumes", [])}
        assert (keys_dir in mounted) == (name in READS), name


def test_the_image_owns_the_compose_key_volumes_mount_points_and_the_gateway_pod_can_read_its_key() -> None:
    environment = _compose()["x-tinhso-environment"]
    dockerfile = (INFRA / "Dockerfile").read_text()
    # A named volume takes its mount point's owner from the image; a directory the image
    # lacks would be root's, and the keys container (uid 10001) could not write the pair.
    for setting in ("TINHSO_PRINCIPAL_PUBLIC_KEY_FILE", "TINHSO_PRINCIPAL_PRIVATE_KEY_FILE"):
        assert str(Path(environment[setting]).parent) in dockerfile
    assert "chown -R 10001" in dockerfile
    assert "USER 10001" in dockerfile
    gateway = _k8s("Deployment")["gateway"]["spec"]["template"]["spec"]
    private = next(v for v in gateway["volumes"] if v["name"] == "gateway-key")
    # 0440 and root-owned: the image's user reads it only as the pod's fsGroup.
    assert private["secret"]["defaultMode"] == 0o440
    assert gateway["securityContext"]["fsGroup"] == 10001


def test_the_examples_turn_introspection_and_graphiql_off_for_the_gateway() -> None:
    """ADR 0019: a deployment shows partners neither the schema nor an IDE (``make up`` does)."""
    switches = ("TINHSO_GATEWAY_INTROSPECTION", "TINHSO_GATEWAY_GRAPHIQL")
    compose = _compose()["services"]["gateway"]["environment"]
    [container] = _k8s("Deployment")["gateway"]["spec"]["template"]["spec"]["containers"]
    in_k8s = {e["name"]: e.get("value") for e in container.get("env", [])}
    for environment in (compose, in_k8s):
        limits = Limits.from_settings(load_settings({s: str(environment[s]) for s in switches}))
        assert (limits.introspection, limits.graphiql) == (False, False)


def test_the_examples_authenticate_to_kafka_with_a_password_kept_out_of_the_repository() -> None:
    """Failed before the fix: both examples spoke plaintext to Kafka, with no credentials."""
    environment = _compose()["x-tinhso-environment"]
    assert environment["TINHSO_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    assert environment["TINHSO_KAFKA_SASL_MECHANISM"].startswith("SCRAM-")
    assert "TINHSO_KAFKA_SASL_PASSWORD" not in environment
    password_file = environment["TINHSO_KAFKA_SASL_PASSWORD_FILE"]
    secrets = _compose()["secrets"]
    assert password_file == "/run/secrets/kafka-tinhso-password"
    assert all(not Path(s["file"]).is_absolute() and "secrets/" in s["file"] for s in secrets.values())
    assert "infra/secrets/" in (INFRA.parent / ".gitignore").read_text()
    configmap = _k8s("ConfigMap")["tinhso"]["data"]
    assert configmap["TINHSO_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert "TINHSO_KAFKA_SASL_PASSWORD" in _k8s("Secret")["tinhso"]["stringData"]


def _application_containers(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in compose["services"].items() if s.get("command", [None])[:2] == ["python", "-m"]}


def test_only_the_gateway_is_published_and_the_observability_pages_on_loopback_only() -> None:
    """Failed before the fix: every service, backbone included, published its port on the host."""
    services = _compose()["services"]
    published = {name: s["ports"] for name, s in services.items() if "ports" in s}
    observability = {n for n, s in services.items() if "observability" in s.get("profiles", [])}
    assert published.pop("gateway") == ["8000:8000"]
    assert set(published) <= observability
    for name, ports in published.items():
        assert all(str(p).startswith("127.0.0.1:") for p in ports), name


def test_every_application_container_has_a_readiness_healthcheck_and_the_gateway_waits_for_them() -> None:
    compose = _compose()
    for name, service in _application_containers(compose).items():
        assert service["healthcheck"]["test"] == ["CMD", "python", "-m", "services.cli.healthcheck"], name
        assert not service["healthcheck"].get("disable", False), name
    for one_off in ("keys", "migrate"):
        assert compose["services"][one_off]["healthcheck"] == {"disable": True}
    waits = compose["services"]["gateway"]["depends_on"]
    assert {s: waits[s]["condition"] for s in SERVICES} == dict.fromkeys(SERVICES, "service_healthy")
    assert "healthcheck" in compose["services"]["postgres"]
    assert "healthcheck" in compose["services"]["kafka"]


def test_the_compose_credentials_come_from_an_env_file_git_ignores_and_its_example_names_them() -> None:
    text = (INFRA / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{([A-Z_]+):\?", text))
    assert required == {"POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD"}
    compose = _compose()
    assert compose["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    url = compose["x-tinhso-environment"]["TINHSO_DATABASE_URL"]
    assert url.startswith("postgresql://tinhso:${POSTGRES_PASSWORD:?")
    example = (INFRA / ".env.example").read_text()
    assert required <= set(re.findall(r"^([A-Z_]+)=", example, flags=re.MULTILINE))
    assert "infra/.env" in (INFRA.parent / ".gitignore").read_text().splitlines()


def test_the_observability_profile_has_its_four_containers_and_their_config_files_exist() -> None:
    services = _compose()["services"]
    observability = {n for n, s in services.items() if "observability" in s.get("profiles", [])}
    assert observability == {"otel-collector", "jaeger", "prometheus", "grafana"}
    for name in observability:
        for volume in services[name].get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (INFRA / source).exists(), (name, source)


def test_prometheus_scrapes_every_process_of_the_compose_file() -> None:
    config = msgspec.yaml.decode((INFRA / "observability" / "prometheus.yml").read_bytes())
    [job] = [j for j in config["scrape_configs"] if j["job_name"] == "tinhso"]
    targets = {t for group in job["static_configs"] for t in group["targets"]}
    settings = Settings()
    wanted = {f"{s}:{settings.port_of(s)}" for s in (*SERVICES, "gateway")}
    wanted |= {f"{s}-backbone:{settings.backbone_port_of(s)}" for s in SERVICES}
    assert targets == wanted
    assert set(_application_containers(_compose())) == {t.split(":")[0] for t in targets}


def test_the_image_has_a_healthcheck_and_its_build_context_holds_what_it_copies_and_no_more() -> None:
    """Failed before the fix: no HEALTHCHECK, and no .dockerignore (the context took .venv, .tinhso, .git)."""
    dockerfile = (INFRA / "Dockerfile").read_text()
    [healthcheck] = re.findall(r'^\s+CMD \["python", "-m", "([a-z_.]+)"\]$', dockerfile, flags=re.MULTILINE)
    assert "HEALTHCHECK " in dockerfile
    assert (INFRA.parent / (healthcheck.replace(".", "/") + ".py")).is_file()
    copied = set()
    for line in re.findall(r"^COPY (?!--from)(.+)$", dockerfile, flags=re.MULTILINE):
        copied |= set(line.split()[:-1])
    kept = {
        line[1:].rstrip("/")
        for line in (INFRA.parent / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    assert "*" in (INFRA.parent / ".dockerignore").read_text().splitlines()
    assert copied == kept
    assert all((INFRA.parent / name).exists() for name in copied)
