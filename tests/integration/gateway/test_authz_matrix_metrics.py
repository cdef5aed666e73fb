"""Metrics' table of the authorization matrix (``authz-matrix-metrics`` in
docs/services/gateway-security.md), cell by cell, through /graphql (``authz_support``)."""

from __future__ import annotations

import asyncio
from functools import partial
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

SUBMIT = "mutation($input: SubmitDataInput!) { submitData(input: $input) { status } }"
APPROVE = "mutation($input: ApproveDataInput!) { approveData(input: $input) { status } }"
REOPEN = "mutation($input: ReopenDataInput!) { reopenData(input: $input) { status } }"
SUBMITTED, DISTRICT_APPROVED, LOCKED = 2050, 2060, 2070
"""The years whose Bành Trạch telecom values ``build_area_targets`` takes that far, per column
(year + the column's index): each cell acts on its own approval. Years to come: the units
are registered today."""


def approval(year: int, i: int, **more: Any) -> dict[str, Any]:
    return {"input": {"indicatorSet": "telecom", "unitCode": "06100", "period": str(year + i), **more}}


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
    "submitData (Bành Trạch's telecom values)": lambda i, t: (SUBMIT, approval(2040, i)),
    "approveData (Bành Trạch's, at district level)": lambda i, t: (
        APPROVE,
        approval(SUBMITTED, i, level="DISTRICT"),
    ),
    "approveData (Bành Trạch's, at province level)": lambda i, t: (
        APPROVE,
        approval(DISTRICT_APPROVED, i, level="PROVINCE"),
    ),
    "reopenData (Bành Trạch's, locked)": lambda i, t: (REOPEN, approval(LOCKED, i, reason="Nhập sai số liệu")),
    "dataApproval (Bành Trạch's telecom values, step by step)": lambda i, t: (
        """{ dataApproval(indicatorSet: "telecom", unitCode: "06100", period: "2070") {
              status unitName steps { step by at reason } } }""",
        {},
    ),
    "dataApprovals (Ba Bể's communes)": lambda i, t: (
        """{ dataApprovals(indicatorSet: "telecom", period: "2070", level: COMMUNE, parentCode: "061") {
              totalCount edges { node { unitCode status } } } }""",
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

    async def approvals(i: int) -> None:
        """Per column: a submitted approval, a district-approved one and a locked one."""
        for year in (SUBMITTED, DISTRICT_APPROVED, LOCKED):
            variables = approval(year, i)
            await platform.eventually(partial(_submitted, platform, variables), timeout=30)
        for year in (DISTRICT_APPROVED, LOCKED):
            await platform.data(APPROVE, approval(year, i, level="DISTRICT"))
        await platform.data(APPROVE, approval(LOCKED, i, level="PROVINCE"))

    await asyncio.gather(*(approvals(i) for i in range(len(CALLERS))))


async def _submitted(platform: Platform, variables: dict[str, Any]) -> bool:
    """Submitted, once the metrics service knows Bành Trạch (it follows the registry's log)."""
    result = await platform.graphql(SUBMIT, variables)
    if result.get("errors"):
        assert result["errors"][0]["extensions"]["code"] == "UNKNOWN_UNIT", result["errors"]
        return False
    return True


# --- what a mutation's result shows a writer without ``read`` (test_authz_matrix.py) ---------

NESTED: dict[str, dict[str, str]] = {
    "IndicatorValue": {"indicator": "indicator { code }", "unit": "unit { code }"},
    # What the catalogue and threshold commands answer reaches nothing past what was written.
    "Indicator": {},
    "RetiredIndicator": {},
    "AlertThreshold": {},
    "RemovedAlertThreshold": {},
    "DataApproval": {},
}
"""Every field of a result type that reaches past the written row: each needs ``read``."""

DIRECT = {
    "IndicatorValue": "period value target source asOf",
    "Indicator": "code name nameEn unit description",
    "RetiredIndicator": "code reason replayed",
    "AlertThreshold": "indicatorCode operator threshold level severity replayed",
    "RemovedAlertThreshold": "indicatorCode replayed",
    "DataApproval": "indicatorSet unitCode unitName period status",
}
OWN = {("DataApproval", "steps")}
"""An approval's steps are the written approval's own."""


async def test_every_metrics_operation_is_allowed_or_refused_as_the_matrix_specifies(
    matrix_platform: Platform,
) -> None:
    targets = await build_targets(matrix_platform)
    await build_area_targets(matrix_platform, targets)
    await check_table(matrix_platform, "authz-matrix-metrics", CELLS, targets)
