"""Run every check of ``tools.validate`` over the repository; exit 1 on the first file that fails."""

from __future__ import annotations

import sys
from pathlib import Path

from tools.validate import kubernetes, observability, schemas

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"


def checks() -> list[tuple[str, list[str]]]:
    done: list[tuple[str, list[str]]] = [
        ("compose file (compose-spec schema)", schemas.schema_problems("compose", [INFRA / "docker-compose.yml"])),
    ]
    workflows = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    if workflows:
        done.append(("CI workflows (GitHub's schema)", schemas.schema_problems("github-workflows", workflows)))
    for directory in kubernetes.kustomizations(INFRA / "k8s"):
        label = f"{directory.relative_to(ROOT)} (Kubernetes {kubernetes.KUBERNETES_VERSION} schemas, restricted)"
        try:
            done.append((label, kubernetes.problems(kubernetes.render(directory))))
        except kubernetes.RenderError as exc:
            done.append((label, [str(exc)]))
    for example in sorted((INFRA / "k8s").rglob("*.example.yaml")):
        manifests = kubernetes.documents(example.read_text())
        done.append((f"{example.relative_to(ROOT)} (Kubernetes schemas)", kubernetes.problems(manifests)))
    observability_dir = INFRA / "observability"
    done.append(("alert rules (PromQL, metric names)", observability.rules_problems(observability_dir / "alerts.yml")))
    dashboards = sorted((observability_dir / "grafana" / "dashboards").glob("*.json"))
    done += [(f"dashboard {d.name} (PromQL)", observability.dashboard_problems(d)) for d in dashboards]
    return done


def main() -> int:
    failed = False
    for label, problems in checks():
        print(f"{'ok  ' if not problems else 'FAIL'} {label}")
        for problem in problems:
            print(f"     {problem}")
        failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
