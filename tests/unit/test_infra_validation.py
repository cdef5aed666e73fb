"""The validators of ``make validate`` (tools/validate), and the alert rules and dashboard they pass.

Each validator is shown refusing a broken input, so that its silence on the repository's
files means something.
"""

from __future__ import annotations

import json
from pathlib import Path

import msgspec

from tools.validate import kubernetes, observability, schemas

ROOT = Path(__file__).resolve().parents[2]
OBSERVABILITY = ROOT / "infra" / "observability"
ALERTS = OBSERVABILITY / "alerts.yml"
DASHBOARD = OBSERVABILITY / "grafana" / "dashboards" / "tinhso.json"


def test_the_alert_rules_cover_what_operators_asked_for_and_pass_the_checks() -> None:
    rules = msgspec.yaml.decode(ALERTS.read_bytes())
    alerts = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    assert {
        "TinhsoRelayStalled",
        "TinhsoProjectionLagging",
        "TinhsoDeadLettersGrowing",
        "TinhsoIncidentDetectorSilent",
        "TinhsoHighErrorRate",
        "TinhsoHighLatencyP99",
    } <= alerts
    assert observability.rules_problems(ALERTS) == []


def test_the_dashboard_parses_and_shows_every_metric_tinhso_serves() -> None:
    assert observability.dashboard_problems(DASHBOARD) == []
    shown = " ".join(observability.expressions(ALERTS, DASHBOARD))
    assert {m for m in observability.SERVED if m not in shown} == set()
    assert {p["datasource"]["uid"] for p in json.loads(DASHBOARD.read_text())["panels"] if "datasource" in p} == {
        msgspec.yaml.decode((OBSERVABILITY / "grafana/provisioning/datasources/prometheus.yaml").read_bytes())[
            "datasources"
        ][0]["uid"]
    }


def test_an_expression_that_does_not_parse_or_names_an_unknown_metric_is_refused() -> None:
    assert observability.expression_problems("sum(rate(tinhso_relay_published_total[5m])") == [
        "does not parse: unclosed left parenthesis"
    ]
    assert observability.expression_problems("rate(tinhso_relay_published[5m]) > 0") == [
        "names tinhso_relay_published, which tinhso does not serve"
    ]
    assert (
        observability.expression_problems(
            "histogram_quantile(0.9, rate(tinhso_http_request_duration_seconds_bucket[$__rate_interval]))"
        )
        == []
    )


def test_a_rule_without_severity_summary_or_a_valid_duration_is_refused(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(
        "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        for: five minutes\n"
    )
    assert observability.rules_problems(rules) == [
        "g/A: severity is not one of ['critical', 'info', 'warning']",
        "g/A: no summary annotation",
        "g/A: for: not a valid duration string: five minutes",
    ]


def test_the_kubernetes_schemas_refuse_an_unknown_field_and_a_wrong_type() -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x"},
        "spec": {
            "selector": {"matchLabels": {"a": "b"}},
            "template": {
                "metadata": {"labels": {"a": "b"}},
                "spec": {"containers": [{"name": "x", "image": "x:1", "startupprobe": {}}]},
            },
        },
    }
    [unknown] = kubernetes.schema_problems(deployment)
    assert "startupprobe" in unknown
    deployment["spec"]["replicas"] = "two"  # type: ignore[index]
    assert len(kubernetes.schema_problems(deployment)) == 1


def test_the_compose_schema_refuses_what_docker_compose_would(tmp_path: Path) -> None:
    assert schemas.schema_problems("compose", [ROOT / "infra" / "docker-compose.yml"]) == []
    broken = tmp_path / "compose.yml"
    broken.write_text("services:\n  a:\n    image: x\n    depends_on:\n      b:\n        condition: when_ready\n")
    assert schemas.schema_problems("compose", [broken]) != []
