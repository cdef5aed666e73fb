"""The Kubernetes example (infra/k8s) holds to what the operators of issue 21 asked for.

The base manifests are read as files; the overlays as ``kubectl kustomize`` renders them.
Schema validation itself is ``make validate`` (tools/validate); here are the rules the
schemas cannot state: the restricted profile, one budget and one autoscaler per workload,
who may reach whom, the image tag, the keys' Secrets.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import msgspec
import pytest

from contracts.services import EVENT_SOURCED
from tools.validate.kubernetes import documents, kustomizations, render
from tools.validate.pod_security import pod_spec, restricted_violations

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "infra" / "k8s"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
APIS = (*EVENT_SOURCED, "gateway")


def _base() -> list[dict[str, Any]]:
    listed = msgspec.yaml.decode((K8S / "base" / "kustomization.yaml").read_bytes())["resources"]
    return [doc for name in listed for doc in documents((K8S / "base" / name).read_text())]


def _named(kind: str, manifests: list[dict[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    return {m["metadata"]["name"]: m for m in (manifests or _base()) if m["kind"] == kind}


def _pod_labels(deployment: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A label selector's verdict (matchLabels and matchExpressions with In)."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", expression
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def test_every_base_file_is_listed_in_the_kustomization() -> None:
    listed = set(msgspec.yaml.decode((K8S / "base" / "kustomization.yaml").read_bytes())["resources"])
    on_disk = {p.name for p in (K8S / "base").glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert listed == on_disk


@pytest.mark.parametrize("directory", kustomizations(K8S), ids=lambda p: p.name)
def test_every_pod_of_every_overlay_passes_the_restricted_pod_security_standard(directory: Path) -> None:
    """Failed before the fix: no pod set a seccomp profile, and the topics Job no security context at all."""
    manifests = render(directory)
    pods = {m["metadata"]["name"]: spec for m in manifests if (spec := pod_spec(m)) is not None}
    assert {"tinhso-migrate", "tinhso-topics", "gateway"} <= set(pods)
    assert {name: restricted_violations(pod) for name, pod in pods.items()} == {name: [] for name in pods}


def test_the_restricted_check_refuses_what_the_profile_refuses() -> None:
    [gateway] = [m for m in _base() if m["kind"] == "Deployment" and m["metadata"]["name"] == "gateway"]
    pod = msgspec.json.decode(msgspec.json.encode(pod_spec(gateway)))
    del pod["securityContext"]["seccompProfile"]
    pod["containers"][0]["securityContext"]["capabilities"] = {"add": ["NET_ADMIN"]}
    pod["volumes"].append({"name": "host", "hostPath": {"path": "/"}})
    assert restricted_violations(pod) == [
        "volume host is of a refused type (hostPath)",
        "container gateway: seccomp profile is unset (RuntimeDefault or Localhost)",
        "container gateway: capabilities do not drop ALL",
        "container gateway: adds capabilities NET_ADMIN",
    ]


def test_every_deployment_has_a_disruption_budget_and_a_startup_probe() -> None:
    budgets = _named("PodDisruptionBudget")
    for name, deployment in _named("Deployment").items():
        labels = _pod_labels(deployment)
        covering = [b for b in budgets.values() if _selects(b["spec"]["selector"], labels)]
        assert [b["metadata"]["name"] for b in covering] == [name]
        assert covering[0]["spec"]["maxUnavailable"] == 1
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            assert container["startupProbe"]["httpGet"]["path"] == "/health/live", name


def test_the_gateway_and_each_api_deployment_scale_with_an_autoscaler_that_owns_their_replicas() -> None:
    autoscalers = _named("HorizontalPodAutoscaler")
    deployments = _named("Deployment")
    assert set(autoscalers) == set(APIS)
    for name, autoscaler in autoscalers.items():
        assert autoscaler["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert "replicas" not in deployments[name]["spec"], name
        assert autoscaler["spec"]["minReplicas"] >= 2


def _ingress_peers(target: dict[str, str]) -> list[dict[str, Any]]:
    """The ``from`` peers of every policy that selects pods with these labels (None: anyone)."""
    peers: list[dict[str, Any]] = []
    for policy in _named("NetworkPolicy").values():
        spec = policy["spec"]
        if "Ingress" in spec["policyTypes"] and _selects(spec["podSelector"], target):
            for rule in spec.get("ingress", []):
                peers += rule.get("from", [{"anyone": True}])
    return peers


def test_only_the_gateway_and_prometheus_reach_the_services() -> None:
    deployments = _named("Deployment")
    gateway = _pod_labels(deployments["gateway"])
    for name, deployment in deployments.items():
        if name == "gateway":
            assert {"anyone": True} in _ingress_peers(gateway)
            continue
        peers = _ingress_peers(_pod_labels(deployment))
        assert peers, name
        for peer in peers:
            if "podSelector" in peer:
                assert "namespaceSelector" not in peer, name
                assert _selects(peer["podSelector"], gateway), name
                assert not any(
                    _selects(peer["podSelector"], _pod_labels(d)) for n, d in deployments.items() if n != "gateway"
                )
            else:
                assert peer == {"namespaceSelector": {"matchLabels": {"tinhso.io/monitoring": "true"}}}, name


def test_only_tinhso_pods_reach_the_database_and_the_broker() -> None:
    tinhso_pods = [_pod_labels(d) for d in _named("Deployment").values()]
    tinhso_pods += [j["spec"]["template"]["metadata"]["labels"] for j in _named("Job").values()]
    for backend in ("postgresql", "kafka"):
        peers = _ingress_peers({"app.kubernetes.io/name": backend})
        assert peers, backend
        allowed = [p["podSelector"] for p in peers]
        assert all(any(_selects(a, pod) for a in allowed) for pod in tinhso_pods)
        assert not any(_selects(a, {"app.kubernetes.io/name": "elsewhere"}) for a in allowed)
    [default_deny] = [
        p for p in _named("NetworkPolicy").values() if "ingress" not in p["spec"] and "egress" not in p["spec"]
    ]
    assert default_deny["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert all(_selects(default_deny["spec"]["podSelector"], pod) for pod in tinhso_pods)


def test_the_image_tag_is_the_package_version_everywhere() -> None:
    """Failed before the fix: every manifest and the compose file ran ``tinhso:dev``."""
    dockerfile = (ROOT / "infra" / "Dockerfile").read_text()
    assert f"ARG VERSION={VERSION}\n" in dockerfile
    assert 'org.opencontainers.image.version="${VERSION}"' in dockerfile
    compose = (ROOT / "infra" / "docker-compose.yml").read_text()
    assert f"image: tinhso:${{IMAGE_TAG:-{VERSION}}}" in compose
    for directory in kustomizations(K8S):
        images = {
            c["image"]
            for m in render(directory)
            if (pod := pod_spec(m)) is not None
            for c in pod["containers"]
            if c["image"].rpartition(":")[0].endswith("tinhso")
        }
        assert {image.rpartition(":")[2] for image in images} == {VERSION}, directory


def test_the_private_and_public_principal_keys_are_in_separate_secrets() -> None:
    used: dict[str, set[str]] = {}
    for deployment in _named("Deployment").values():
        for volume in deployment["spec"]["template"]["spec"].get("volumes", []):
            secret = volume.get("secret")
            if secret is not None:
                used.setdefault(secret["secretName"], set()).update(i["key"] for i in secret.get("items", []))
    assert used["tinhso-principal-public"] == {"principal-ed25519.pub.pem"}
    assert used["tinhso-principal-private"] == {"principal-ed25519.pem"}
    readers = {
        d["metadata"]["name"]
        for d in _named("Deployment").values()
        for v in d["spec"]["template"]["spec"].get("volumes", [])
        if v.get("secret", {}).get("secretName") == "tinhso-principal-private"
    }
    assert readers == {"gateway"}


def test_the_production_ingress_routes_to_the_gateway_and_keeps_subscriptions_open() -> None:
    manifests = render(K8S / "overlays" / "production")
    [ingress] = _named("Ingress", manifests).values()
    annotations = ingress["metadata"]["annotations"]
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"]) >= 3600
    [rule] = ingress["spec"]["rules"]
    [path] = rule["http"]["paths"]
    assert path["backend"]["service"] == {"name": "gateway", "port": {"name": "http"}}
    assert {m["metadata"].get("namespace") for m in manifests} == {"tinhso"}
