"""Metrics' table of the authorization matrix (``authz-matrix-metrics`` in
docs/services/gateway-security.md), cell by cell, through /graphql (``authz_support``)."""

from __future__ import annotations

from tests.integration.gateway.api_fixtures import INDICATOR
from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import Cell, build_targets, check_table, matrix_platform

__all__ = ["matrix_platform"]

VALUE = "mutation($input: ReportIndicatorValueInput!) { reportIndicatorValue(input: $input) { value } }"
TARGET = "mutation($input: SetIndicatorTargetInput!) { setIndicatorTarget(input: $input) { target } }"

CELLS: dict[str, Cell] = {
    "indicators (the catalogue)": lambda i, t: ("{ indicators { code } }", {}),
    "indicatorValues (Ba Bể's communes)": lambda i, t: (
        f'{{ indicatorValues(codes: ["{INDICATOR}"], period: "2023", parentCode: "061") {{ value }} }}',
        {},
    ),
    "ranking (the communes by internet users)": lambda i, t: (
        f'{{ ranking(indexCode: "{INDICATOR}", period: "2023", level: COMMUNE) {{ rank }} }}',
        {},
    ),
    "reportIndicatorValue (a Ba Bể commune)": lambda i, t: (
        VALUE,
        {"input": {"indicatorCode": INDICATOR, "unitCode": "06100", "period": "2023", "value": 50.0 + i}},
    ),
    "setIndicatorTarget (a Ba Bể commune)": lambda i, t: (
        TARGET,
        {"input": {"indicatorCode": INDICATOR, "unitCode": "06100", "year": 2023, "target": 60.0 + i}},
    ),
    "reportIndicatorValue (Pác Nặm)": lambda i, t: (
        VALUE,
        {"input": {"indicatorCode": INDICATOR, "unitCode": "06200", "period": "2023", "value": 40.0 + i}},
    ),
}


# --- what a mutation's result shows a writer without ``read`` (test_authz_matrix.py) ---------

NESTED: dict[str, dict[str, str]] = {
    "IndicatorValue": {"indicator": "indicator { code }", "unit": "unit { code }"},
}
"""Every field of a result type that reaches past the written row: each needs ``read``."""

DIRECT = {"IndicatorValue": "period value target source asOf"}


async def test_every_metrics_operation_is_allowed_or_refused_as_the_matrix_specifies(
    matrix_platform: Platform,
) -> None:
    await check_table(matrix_platform, "authz-matrix-metrics", CELLS, await build_targets(matrix_platform))
