"""Metrics' table of the authorization matrix (``authz-matrix-metrics`` in
docs/services/gateway-security.md), cell by cell, through /graphql (``authz_support``)."""

from __future__ import annotations

from typing import Any

from tests.integration.gateway.api_fixtures import INDICATOR
from tests.integration.gateway.api_platform import Platform
from tests.integration.gateway.authz_support import CALLERS, Cell, Targets, build_targets, check_table, matrix_platform

__all__ = ["matrix_platform"]

VALUE = "mutation($input: ReportIndicatorValueInput!) { reportIndicatorValue(input: $input) { value } }"
TARGET = "mutation($input: SetIndicatorTargetInput!) { setIndicatorTarget(input: $input) { target } }"
DEFINE = "mutation($input: DefineIndicatorsInput!) { defineIndicators(input: $input) { code } }"
RETIRE = "mutation($input: RetireIndicatorInput!) { retireIndicator(input: $input) { code replayed } }"
SET_THRESHOLD = "mutation($input: SetAlertThresholdInput!) { setAlertThreshold(input: $input) { indicatorCode } }"
GROUP = "MATRIX_PILOT"
CREATE_GROUP = "mutation($input: CreateUnitGroupInput!) { createUnitGroup(input: $input) { code } }"
ADD_MEMBER = "mutation($input: AddUnitGroupMemberInput!) { addUnitGroupMember(input: $input) { code } }"
REMOVE_THRESHOLD = """
mutation($input: RemoveAlertThresholdInput!) { removeAlertThreshold(input: $input) { indicatorCode } }
"""

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
    "defineIndicators (a province indicator)": lambda i, t: (
        DEFINE,
        {"input": {"indicators": [definition(f"matrix.defined_{i}")]}},
    ),
    "retireIndicator (a province indicator)": lambda i, t: (RETIRE, {"input": {"code": f"matrix.retired_{i}"}}),
    "setAlertThreshold (a province indicator)": lambda i, t: (
        SET_THRESHOLD,
        {"input": {"indicatorCode": f"matrix.limited_{i}", "operator": "LT", "threshold": 10.0 + i}},
    ),
    "removeAlertThreshold (a province indicator)": lambda i, t: (
        REMOVE_THRESHOLD,
        {"input": {"indicatorCode": f"matrix.unlimited_{i}"}},
    ),
    "indicatorValueHistory (a Bành Trạch value: who, when)": lambda i, t: (
        f"""{{ indicatorValueHistory(indicatorCode: "{INDICATOR}", unitCode: "06100", period: "2023") {{
              totalCount edges {{ node {{ value partner actor recordedAt }} }} }} }}""",
        {},
    ),
    "unitsBehindTarget (Ba Bể's communes, with their units)": lambda i, t: (
        f"""{{ unitsBehindTarget(indicatorCode: "{INDICATOR}", period: "2023", level: COMMUNE, parentCode: "061") {{
              totalCount edges {{ node {{ value target unit {{ code }} indicator {{ code }} }} }} }} }}""",
        {},
    ),
    "completeness (Ba Bể's communes, the missing units)": lambda i, t: (
        f"""{{ completeness(codes: ["{INDICATOR}"], period: "2023", level: COMMUNE, parentCode: "061") {{
              totalCount edges {{ node {{ expected reported missing {{ code }} indicator {{ code }} }} }} }} }}""",
        {},
    ),
    "reportingTimeliness (Ba Bể's communes, late and missing units)": lambda i, t: (
        f"""{{ reportingTimeliness(codes: ["{INDICATOR}"], period: "2023", level: COMMUNE, parentCode: "061") {{
              totalCount edges {{ node {{ deadline onTime timelinessRate late {{ daysLate unit {{ code }} }}
              missing {{ code }} indicator {{ code }} }} }} }} }}""",
        {},
    ),
    "ranking (a province group's communes)": lambda i, t: (
        f'{{ ranking(indexCode: "{INDICATOR}", period: "2023", level: COMMUNE, group: "{GROUP}") {{ rank }} }}',
        {},
    ),
    "unitGroupIndicatorValues (a province group, as a whole)": lambda i, t: (
        f"""{{ unitGroupIndicatorValues(codes: ["{INDICATOR}"], group: "{GROUP}", period: "2023") {{
              groupCode value indicator {{ code }} }} }}""",
        {},
    ),
    "ranking (Ba Bể's communes, with the breakdown)": lambda i, t: (
        """{ ranking(indexCode: "index.dti", period: "2023", level: COMMUNE, parentCode: "061") {
              rank unit { code } breakdown { contribution indicator { code } } } }""",
        {},
    ),
}


def definition(code: str) -> dict[str, Any]:
    return {
        "code": code, "nameVi": f"Chỉ tiêu {code}", "nameEn": code, "unit": "%", "kind": "STOCK",
        "rollup": "AVERAGE", "method": "REPORTED", "group": "test",
    }  # fmt: skip


async def build_area_targets(platform: Platform, targets: Targets) -> None:
    """Per column: an indicator to retire, one to set a threshold on, and one whose threshold
    is there to be removed, so that every allowed cell succeeds on its own; and a unit group."""
    codes = [f"matrix.{kind}_{i}" for kind in ("retired", "limited", "unlimited") for i in range(len(CALLERS))]
    await platform.data(DEFINE, {"input": {"indicators": [definition(code) for code in codes]}})
    for i in range(len(CALLERS)):
        threshold = {"indicatorCode": f"matrix.unlimited_{i}", "operator": "GT", "threshold": 99.0}
        await platform.data(SET_THRESHOLD, {"input": threshold})
    # A unit group of Bành Trạch, which the group-scoped rows read (the metrics service learns
    # it from the registry's events: a cell waits while it answers UNKNOWN_UNIT_GROUP).
    await platform.data(CREATE_GROUP, {"input": {"code": GROUP, "name": "Xã thí điểm"}})
    await platform.data(ADD_MEMBER, {"input": {"groupCode": GROUP, "unitCode": "06100", "joinedOn": "2020-01-01"}})


# --- what a mutation's result shows a writer without ``read`` (test_authz_matrix.py) ---------

NESTED: dict[str, dict[str, str]] = {
    "IndicatorValue": {"indicator": "indicator { code }", "unit": "unit { code }"},
    # What the catalogue and threshold commands answer reaches nothing past what was written.
    "Indicator": {},
    "RetiredIndicator": {},
    "AlertThreshold": {},
    "RemovedAlertThreshold": {},
}
"""Every field of a result type that reaches past the written row: each needs ``read``."""

DIRECT = {
    "IndicatorValue": "period value target source asOf",
    "Indicator": "code name nameEn unit description",
    "RetiredIndicator": "code reason replayed",
    "AlertThreshold": "indicatorCode operator threshold level severity replayed",
    "RemovedAlertThreshold": "indicatorCode replayed",
}


async def test_every_metrics_operation_is_allowed_or_refused_as_the_matrix_specifies(
    matrix_platform: Platform,
) -> None:
    targets = await build_targets(matrix_platform)
    await build_area_targets(matrix_platform, targets)
    await check_table(matrix_platform, "authz-matrix-metrics", CELLS, targets)
