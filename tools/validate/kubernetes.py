"""The Kubernetes manifests of ``infra/k8s``: rendered as kustomize does, then validated.

kustomize is the one built into ``kubectl`` (``kubectl kustomize``, offline); the schemas are
the Kubernetes OpenAPI schemas that ``kubernetes-validate`` carries, strict (an unknown field
is an error, as ``kubectl apply --validate=strict`` makes it).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import msgspec

from tools.validate.pod_security import pod_spec, restricted_violations

KUBERNETES_VERSION = "1.35.0"
"""The oldest Kubernetes release the manifests are checked against (docs/operations/deployment.md)."""


class RenderError(RuntimeError):
    """kustomize could not render a directory, or is not there."""


def kustomizations(k8s: Path) -> list[Path]:
    """The base and every overlay: each directory with a kustomization.yaml."""
    return sorted(path.parent for path in k8s.rglob("kustomization.yaml"))


def render(directory: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise RenderError("kubectl is not on PATH: its built-in kustomize renders infra/k8s")
    done = subprocess.run([kubectl, "kustomize", str(directory)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RenderError(f"{directory}: {done.stderr.strip()}")
    return documents(done.stdout)


def documents(text: str) -> list[dict[str, Any]]:
    return [
        doc
        for part in text.split("\n---\n")
        if part.strip() and (doc := msgspec.yaml.decode(part.encode())) is not None
    ]


def schema_problems(manifest: dict[str, Any], version: str = KUBERNETES_VERSION) -> list[str]:
    try:
        kubernetes_validate.validate(manifest, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        where = "/".join(str(p) for p in exc.path)
        return [f"{where or '(top)'}: {exc.message}"]
    except kubernetes_validate.SchemaNotFoundError as exc:
        return [f"no schema: {exc}"]
    return []


def problems(manifests: list[dict[str, Any]]) -> list[str]:
    """Schema and restricted-profile problems of rendered manifests, each naming its object."""
    found: list[str] = []
    for manifest in manifests:
        name = f"{manifest.get('kind')}/{manifest.get('metadata', {}).get('name')}"
        found += [f"{name}: {p}" for p in schema_problems(manifest)]
        pod = pod_spec(manifest)
        if pod is not None:
            found += [f"{name}: restricted: {p}" for p in restricted_violations(pod)]
    return found
