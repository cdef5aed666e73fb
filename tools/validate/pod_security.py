"""The restricted Pod Security Standard, as a check of a pod spec.

Kubernetes' admission controller enforces it in a namespace labelled
``pod-security.kubernetes.io/enforce: restricted``; this is the same list of rules (the
baseline's and the restricted's), so that a manifest that would be refused there fails here.
"""

from __future__ import annotations

from typing import Any

ALLOWED_VOLUMES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
ALLOWED_SECCOMP = frozenset({"RuntimeDefault", "Localhost"})
ALLOWED_ADDED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
VOLUME_FIELDS_NOT_TYPES = frozenset({"name"})


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """The pod spec a workload manifest creates pods from, or None for other kinds."""
    kind = manifest.get("kind")
    spec: dict[str, Any] = manifest.get("spec", {})
    if kind == "Pod":
        return spec
    if kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}:
        template: dict[str, Any] = spec["template"]["spec"]
        return template
    if kind == "CronJob":
        job: dict[str, Any] = spec["jobTemplate"]["spec"]["template"]["spec"]
        return job
    return None


def restricted_violations(pod: dict[str, Any]) -> list[str]:
    """What in this pod spec the restricted profile refuses; empty when it passes."""
    pod_context = pod.get("securityContext") or {}
    found = [f"{host} is true" for host in ("hostNetwork", "hostPID", "hostIPC") if pod.get(host)]
    for volume in pod.get("volumes", []):
        types = set(volume) - VOLUME_FIELDS_NOT_TYPES
        if not types <= ALLOWED_VOLUMES:
            found.append(f"volume {volume.get('name')} is of a refused type ({', '.join(sorted(types))})")
    if pod_context.get("sysctls"):
        found.append("pod sets sysctls")
    if pod_context.get("runAsUser") == 0:
        found.append("pod runs as user 0")
    pod_seccomp = (pod_context.get("seccompProfile") or {}).get("type")
    if pod_seccomp is not None and pod_seccomp not in ALLOWED_SECCOMP:
        found.append(f"pod seccomp profile is {pod_seccomp}")
    containers = [*pod.get("initContainers", []), *pod.get("containers", []), *pod.get("ephemeralContainers", [])]
    for container in containers:
        found += [f"container {container.get('name')}: {p}" for p in _container(container, pod_context, pod_seccomp)]
    return found


def _container(container: dict[str, Any], pod_context: dict[str, Any], pod_seccomp: str | None) -> list[str]:
    found: list[str] = []
    context = container.get("securityContext") or {}
    if context.get("privileged"):
        found.append("privileged")
    if context.get("allowPrivilegeEscalation") is not False:
        found.append("allowPrivilegeEscalation is not false")
    non_root = context.get("runAsNonRoot", pod_context.get("runAsNonRoot"))
    if non_root is not True:
        found.append("runAsNonRoot is not true (on the pod or the container)")
    if context.get("runAsUser") == 0:
        found.append("runs as user 0")
    seccomp = (context.get("seccompProfile") or {}).get("type", pod_seccomp)
    if seccomp not in ALLOWED_SECCOMP:
        found.append(f"seccomp profile is {seccomp or 'unset'} (RuntimeDefault or Localhost)")
    capabilities = context.get("capabilities") or {}
    if "ALL" not in capabilities.get("drop", []):
        found.append("capabilities do not drop ALL")
    added = set(capabilities.get("add", [])) - ALLOWED_ADDED_CAPABILITIES
    if added:
        found.append(f"adds capabilities {', '.join(sorted(added))}")
    if any(port.get("hostPort") for port in container.get("ports", [])):
        found.append("uses a host port")
    if context.get("procMount", "Default") != "Default":
        found.append("procMount is not Default")
    return found
