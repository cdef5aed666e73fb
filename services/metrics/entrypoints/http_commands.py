"""Internal REST commands of the metrics service, one row each. Reports and targets need the
``metrics:write`` scope; a principal bound to a unit (a district centre) writes for that unit and
its descendants only. The province's indicator catalogue and alert thresholds are the
administrator's (``admin``, issue #18), and never a unit-bound principal's, even an admin's
(``province_wide``, ADR 0021). Data approval's steps need ``metrics:write``; which step a caller
may take is decided from its unit in the command (ADR 0055). The rows become Litestar routes in
``libs.common.http.routes`` (ADR 0034)."""

from __future__ import annotations

from contracts.api.batches import BatchResult, IndicatorValueBatch
from contracts.api.metrics import (
    ApproveData,
    DefineIndicators,
    RemoveThreshold,
    ReopenData,
    ReportValue,
    RetireIndicator,
    RetireIndicatorBody,
    SetTarget,
    SetThreshold,
    SubmitData,
)
from libs.common.http.routes import CommandRoute, CommandTable
from services.metrics.application.commands import MetricsCommands
from services.metrics.seed.indicators import province_indicators

WRITE = "metrics:write"
ADMIN = "admin"
"""The catalogue and the thresholds: an operator with ``metrics:write`` reports, it does not define."""

Row = CommandRoute[MetricsCommands]


def shipped_indicators() -> DefineIndicators:
    """The seed route's input: the indicator set the platform ships."""
    return DefineIndicators(indicators=province_indicators())


COMMANDS = CommandTable[MetricsCommands](
    "/commands",
    "metrics: commands",
    [
        Row(
            "POST",
            "/values/report",
            "reportIndicatorValue",
            ReportValue,
            WRITE,
            lambda c: c.report,
            description="Report or correct a value.",
        ),
        Row(
            "POST",
            "/batches/indicator-values",
            "reportIndicatorValuesBulk",
            IndicatorValueBatch,
            WRITE,
            lambda c: c.report_batch,
            status=200,
            returns=BatchResult,
            description="Report up to 10,000 values, each its own report with its own key and result (ADR 0046).",
        ),
        Row("POST", "/targets/set", "setIndicatorTarget", SetTarget, WRITE, lambda c: c.set_target),
        Row(
            "POST",
            "/approvals/submit",
            "submitData",
            SubmitData,
            WRITE,
            lambda c: c.approvals.submit,
            description="Submit a unit's values of an indicator set for a period for approval.",
        ),
        Row(
            "POST",
            "/approvals/approve",
            "approveData",
            ApproveData,
            WRITE,
            lambda c: c.approvals.approve,
            description="Approve submitted values at district level, then at province level (which locks them).",
        ),
        Row(
            "POST",
            "/approvals/reopen",
            "reopenData",
            ReopenData,
            WRITE,
            lambda c: c.approvals.reopen,
            description="Reopen an approval with a reason: its values take reports again.",
        ),
        # The province's catalogue and alert thresholds: refused to a caller bound to a unit.
        Row(
            "POST",
            "/catalogue/define",
            "defineIndicators",
            DefineIndicators,
            ADMIN,
            lambda c: c.define,
            province_wide=True,
            description="Define or revise indicators.",
        ),
        Row(
            "POST",
            "/catalogue/seed",
            "seedIndicators",
            shipped_indicators,
            ADMIN,
            lambda c: c.define,
            province_wide=True,
            body=None,
            description="Define the shipped indicator set.",
        ),
        Row(
            "POST",
            "/catalogue/{code:str}/retire",
            "retireIndicator",
            RetireIndicator,
            ADMIN,
            lambda c: c.retire,
            province_wide=True,
            body=RetireIndicatorBody,
        ),
        Row(
            "POST",
            "/thresholds/set",
            "setAlertThreshold",
            SetThreshold,
            ADMIN,
            lambda c: c.set_threshold,
            province_wide=True,
        ),
        Row(
            "POST",
            "/thresholds/{code:str}/remove",
            "removeAlertThreshold",
            RemoveThreshold,
            ADMIN,
            lambda c: c.remove_threshold,
            province_wide=True,
            body=None,
        ),
    ],
)
