"""SQL that keeps the ``metrics_values`` tables: reported values and their history, targets,
alert thresholds. The projection (``entrypoints/values_projection.py``) says which event
becomes which write; the evaluator reads these tables through ``indicator_data.py``."""

from __future__ import annotations

from contracts import metrics_events as m
from contracts.envelope import Envelope
from libs.common.db import Conn

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


class ValuesWriter:
    def __init__(self, conn: Conn, schema: str) -> None:
        self.conn = conn
        self.s = schema

    async def report(
        self, e: m.IndicatorValueReported | m.IndicatorValueCorrected, env: Envelope, previous: float | None
    ) -> None:
        """The current value (a correction counted) and one history row per version."""
        s, conn = self.s, self.conn
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

    async def set_target(self, e: m.IndicatorTargetSet) -> None:
        s, conn = self.s, self.conn
        await conn.execute(
            f"""INSERT INTO {s}.targets (code, unit_id, year, unit_code, target) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (code, unit_id, year) DO UPDATE SET target = $5, unit_code = $4""",
            e.indicator_code, e.unit_id, e.year, e.unit_code, e.target,
        )  # fmt: skip

    async def set_threshold(self, e: m.AlertThresholdSet) -> None:
        s, conn = self.s, self.conn
        await conn.execute(
            f"""INSERT INTO {s}.thresholds (code, operator, threshold, level, severity)
                VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (code) DO UPDATE SET operator = $2, threshold = $3, level = $4, severity = $5""",
            e.indicator_code, e.operator, e.threshold, e.level, e.severity,
        )  # fmt: skip

    async def remove_threshold(self, code: str) -> None:
        await self.conn.execute(f"DELETE FROM {self.s}.thresholds WHERE code = $1", code)
