"""The ``metrics_values`` projection: reported values (current and their history, with who
reported what and when), targets and alert thresholds, from the metrics service's own topic."""

from __future__ import annotations

from collections.abc import Sequence

from contracts import metrics_events as m
from libs.common.db import Conn
from libs.common.projections.declared import ReadFields, read_model
from libs.common.projections.projection import Applied
from services.metrics.adapters.values_writer import TABLES, ValuesWriter
from services.metrics.application.change_emitter import announce_reported

NAME = "metrics_values"


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    writer = ValuesWriter(conn, schema)
    reports: set[tuple[str, str, str]] = set()
    for item in batch:
        e, env = item.event, item.envelope
        if isinstance(e, m.IndicatorValueReported | m.IndicatorValueCorrected):
            reports.add((e.indicator_code, e.unit_id, e.period))
            previous = e.previous_value if isinstance(e, m.IndicatorValueCorrected) else None
            await writer.report(e, env, previous)
        elif isinstance(e, m.IndicatorTargetSet):
            await writer.set_target(e)
        elif isinstance(e, m.AlertThresholdSet):
            await writer.set_threshold(e)
        elif isinstance(e, m.AlertThresholdRemoved):
            await writer.remove_threshold(e.indicator_code)
    # In the live schema only, in this transaction: what follows from the reports (a
    # district's rollup, a year's sum, the DTI) is announced once. A rebuild announces nothing.
    if reports and schema == NAME:
        await announce_reported(conn, reports)


READS: ReadFields = {
    m.IndicatorValueReported: ("comment", "indicator_code", "period", "source", "unit_code", "unit_id", "value"),
    m.IndicatorValueCorrected: (
        "comment",
        "indicator_code",
        "period",
        "previous_value",
        "source",
        "unit_code",
        "unit_id",
        "value",
    ),
    m.IndicatorTargetSet: ("indicator_code", "target", "unit_code", "unit_id", "year"),
    m.AlertThresholdSet: ("indicator_code", "level", "operator", "severity", "threshold"),
    m.AlertThresholdRemoved: ("indicator_code",),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

ValuesProjection = read_model(NAME, READS, tables=lambda schema: TABLES.format(s=schema), apply=apply)
