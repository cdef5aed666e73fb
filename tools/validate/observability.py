"""The Prometheus alert rules and the Grafana dashboard of ``infra/observability``.

promtool is not on the package registries, so each rule is checked for the fields Prometheus
requires and each expression is parsed by ``promql-parser`` (the Rust PromQL parser's Python
binding). Every metric an expression names must be one tinhso serves: a renamed metric would
otherwise leave an alert that never fires.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec
import promql_parser

SERVED = frozenset(
    {
        "tinhso_http_requests_total",
        "tinhso_http_request_duration_seconds",
        "tinhso_graphql_operations_total",
        "tinhso_relay_backlog_events",
        "tinhso_relay_lag_seconds",
        "tinhso_relay_published_total",
        "tinhso_projection_lag_events",
        "tinhso_projection_applied_total",
        "tinhso_dead_letters",
        "tinhso_live_subscribers",
        "tinhso_rate_limit_refusals_total",
        "tinhso_db_pool_connections",
        "tinhso_incident_detector_last_run_timestamp_seconds",
    }
)
"""The metric families every tinhso process serves at /metrics (docs/operations/deployment.md)."""
HISTOGRAM_SERIES = ("_bucket", "_sum", "_count")
PROMETHEUS_OWN = frozenset({"up", "scrape_duration_seconds", "scrape_samples_scraped"})
GRAFANA_VARIABLES = re.compile(r"\$__(rate_interval|interval|range)\b")
RULE_FIELDS = frozenset({"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"})
SEVERITIES = frozenset({"critical", "warning", "info"})


def family(series: str) -> str:
    for suffix in HISTOGRAM_SERIES:
        if series.endswith(suffix) and series.removesuffix(suffix) in SERVED:
            return series.removesuffix(suffix)
    return series


def expression_problems(expr: str) -> list[str]:
    """Why this PromQL does not parse or names a metric tinhso does not serve; empty if fine."""
    try:
        parsed = promql_parser.parse(GRAFANA_VARIABLES.sub("5m", expr))
    except ValueError as exc:
        return [f"does not parse: {exc}"]
    names: list[str] = []

    def collect(node: promql_parser.Expr) -> None:
        name = node.name if isinstance(node, promql_parser.VectorSelector) else None
        if name:  # a selector by {__name__=~"…"} has none
            names.append(name)

    promql_parser.walk(parsed, pre_visit=collect)
    unknown = sorted({n for n in names if family(n) not in SERVED | PROMETHEUS_OWN})
    return [f"names {n}, which tinhso does not serve" for n in unknown]


def rules_problems(path: Path) -> list[str]:
    found: list[str] = []
    document: dict[str, Any] = msgspec.yaml.decode(path.read_bytes())
    alerts: set[str] = set()
    for group in document.get("groups", []):
        for rule in group.get("rules", []):
            name = rule.get("alert") or rule.get("record") or "(unnamed)"
            where = f"{group.get('name')}/{name}"
            if ("alert" in rule) == ("record" in rule):
                found.append(f"{where}: a rule is either an alert or a record")
            if set(rule) - RULE_FIELDS:
                found.append(f"{where}: unknown fields {sorted(set(rule) - RULE_FIELDS)}")
            if "alert" in rule:
                if name in alerts:
                    found.append(f"{where}: declared twice")
                alerts.add(name)
                if rule.get("labels", {}).get("severity") not in SEVERITIES:
                    found.append(f"{where}: severity is not one of {sorted(SEVERITIES)}")
                if not rule.get("annotations", {}).get("summary"):
                    found.append(f"{where}: no summary annotation")
            if "for" in rule:
                try:
                    promql_parser.parse_duration(rule["for"])
                except ValueError as exc:
                    found.append(f"{where}: for: {exc}")
            found += [f"{where}: {p}" for p in expression_problems(str(rule.get("expr", "")))]
    if not alerts:
        found.append(f"{path}: no alert")
    return found


def dashboard_problems(path: Path) -> list[str]:
    found: list[str] = []
    dashboard = json.loads(path.read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    if len(ids) != len(set(ids)):
        found.append(f"{path.name}: two panels share an id")
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            problems = expression_problems(target["expr"])
            found += [f"{path.name}: panel {panel['title']!r}: {p}" for p in problems]
    return found


def expressions(rules: Path, dashboard: Path) -> list[str]:
    """Every PromQL expression of the rules and the dashboard."""
    document: dict[str, Any] = msgspec.yaml.decode(rules.read_bytes())
    found = [str(rule["expr"]) for group in document["groups"] for rule in group["rules"]]
    panels = json.loads(dashboard.read_text())["panels"]
    return found + [target["expr"] for panel in panels for target in panel.get("targets", [])]
