"""The ``metrics_values`` projection: reported values (current and their history, with who
reported what and when), targets and alert thresholds, from the metrics service's own topic."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from contracts import metrics_events as m
from contracts.catalogue import EventCatalogue
from contracts.reads import Reads, reads
from libs.common.db import Conn
from libs.common.projections.projection import Applied, Projection
from services.metrics.adapters.change_emitter import announce_reported

NAME = "metrics_values"

TABLES = """
CREATE TABLE IF NOT EXISTS {s}.reported (
    code         text        NOT NULL,
    unit_id      text        NOT NULL,
    period       text        NOT NULL,
    unit_code    text        NOT NULL,
    value        float8      NOT NULL,
    source       text        NOT NULL,
    comment      text,
    actor        text,
    partner      text,
    recorded_at  timestamptz NOT NULL,
    corrections  integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (code, period, unit_id)
);
CREATE INDEX IF NOT EXISTS reported_unit ON {s}.reported (unit_id, code);

CREATE TABLE IF NOT EXISTS {s}.reported_history (
    event_id        uuid        PRIMARY KEY,
    code            text        NOT NULL,
    unit_id         text        NOT NULL,
    period          text        NOT NULL,
    unit_code       text        NOT NULL,
    value           float8      NOT NULL,
    previous_value  float8,
    source          text        NOT NULL,
    comment         text,
    actor           text,
    partner         text,
    recorded_at     timestamptz NOT NULL,
    version         integer     NOT NULL
);
CREATE INDEX IF NOT EXISTS reported_history_key ON {s}.reported_history (code, unit_id, period, version);
CREATE INDEX IF NOT EXISTS reported_history_period ON {s}.reported_history (code, period);

CREATE TABLE IF NOT EXISTS {s}.targets (
    code       text    NOT NULL,
    unit_id    text    NOT NULL,
    year       integer NOT NULL,
    unit_code  text    NOT NULL,
    target     float8  NOT NULL,
    PRIMARY KEY (code, unit_id, year)
);

CREATE TABLE IF NOT EXISTS {s}.thresholds (
    code       text   PRIMARY KEY,
    operator   text   NOT NULL,
    threshold  float8 NOT NULL,
    level      text,
    severity   text   NOT NULL
);
"""


class ValuesProjection(Projection):
    name: ClassVar[str] = NAME
    service: ClassVar[str] = "metrics"
    sources: ClassVar[dict[str, EventCatalogue]] = {"metrics": m.CATALOGUE}
    handles: ClassVar[frozenset[str]] = frozenset(
        cls.type_name()
        for cls in (
            m.IndicatorValueReported,
            m.IndicatorValueCorrected,
            m.IndicatorTargetSet,
            m.AlertThresholdSet,
            m.AlertThresholdRemoved,
        )
    )
    reads: ClassVar[Reads] = reads(
        {
            m.IndicatorValueReported: (
                "comment",
                "indicator_code",
                "period",
                "source",
                "unit_code",
                "unit_id",
                "value",
            ),
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
    )

    def tables_sql(self, schema: str) -> str:
        return TABLES.format(s=schema)

    async def apply(self, conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
        s = schema
        reports: set[tuple[str, str, str]] = set()
        for item in batch:
            e, env = item.event, item.envelope
            if isinstance(e, m.IndicatorValueReported | m.IndicatorValueCorrected):
                reports.add((e.indicator_code, e.unit_id, e.period))
                previous = e.previous_value if isinstance(e, m.IndicatorValueCorrected) else None
                await conn.execute(
                    f"""INSERT INTO {s}.reported (code, unit_id, period, unit_code, value, source, comment, actor,
                                                   partner, recorded_at)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                        ON CONFLICT (code, period, unit_id) DO UPDATE SET value = $5, source = $6, comment = $7,
                            actor = $8, partner = $9, recorded_at = $10, corrections = {s}.reported.corrections + 1""",
                    e.indicator_code, e.unit_id, e.period, e.unit_code, e.value, e.source, e.comment,
                    env.actor, env.partner, env.recorded_at,
                )  # fmt: skip
                await conn.execute(
                    f"""INSERT INTO {s}.reported_history (event_id, code, unit_id, period, unit_code, value,
                            previous_value, source, comment, actor, partner, recorded_at, version)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING""",
                    env.event_id, e.indicator_code, e.unit_id, e.period, e.unit_code, e.value, previous,
                    e.source, e.comment, env.actor, env.partner, env.recorded_at, env.version,
                )  # fmt: skip
            elif isinstance(e, m.IndicatorTargetSet):
                await conn.execute(
                    f"""INSERT INTO {s}.targets (code, unit_id, year, unit_code, target) VALUES ($1, $2, $3, $4, $5)
                        ON CONFLICT (code, unit_id, year) DO UPDATE SET target = $5, unit_code = $4""",
                    e.indicator_code, e.unit_id, e.year, e.unit_code, e.target,
                )  # fmt: skip
            elif isinstance(e, m.AlertThresholdSet):
                await conn.execute(
                    f"""INSERT INTO {s}.thresholds (code, operator, threshold, level, severity)
                        VALUES ($1, $2, $3, $4, $5)
                        ON CONFLICT (code) DO UPDATE SET operator = $2, threshold = $3, level = $4, severity = $5""",
                    e.indicator_code, e.operator, e.threshold, e.level, e.severity,
                )  # fmt: skip
            elif isinstance(e, m.AlertThresholdRemoved):
                await conn.execute(f"DELETE FROM {s}.thresholds WHERE code = $1", e.indicator_code)
        # In the live schema only, in this transaction: what follows from the reports (a
        # district's rollup, a year's sum, the DTI) is announced once. A rebuild announces nothing.
        if reports and schema == self.name:
            await announce_reported(conn, reports)
