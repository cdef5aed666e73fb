"""Tables of the ``metrics_facts`` projection: the unit hierarchy over time and dated facts.

A fact is a number attached to a unit for an interval of days ``[valid_from, valid_to)``: a
radio station counts 1 in ``radio.stations`` from its installation until it is decommissioned;
a relay session counts its hours in ``broadcast.relay_hours`` on its day only. Indicators are
sums of facts over a unit's subtree on a day (stocks) or over a period's days (flows).

Events of different streams arrive in any order (a cluster before its station, a session
before the unit it names), so a fact may first be stored with the station or unit code it
hangs on and get its unit when that arrives.
"""

from __future__ import annotations

TABLES = """
CREATE TABLE IF NOT EXISTS {s}.units (
    unit_id     text PRIMARY KEY,
    code        text NOT NULL,
    name        text NOT NULL,
    level       text NOT NULL,
    valid_from  date NOT NULL,
    valid_to    date
);
CREATE INDEX IF NOT EXISTS units_code ON {s}.units (code, valid_from);
CREATE INDEX IF NOT EXISTS units_level ON {s}.units (level, valid_from);

CREATE TABLE IF NOT EXISTS {s}.unit_parents (
    unit_id     text NOT NULL,
    parent_id   text NOT NULL,
    valid_from  date NOT NULL,
    valid_to    date,
    PRIMARY KEY (unit_id, valid_from)
);
CREATE INDEX IF NOT EXISTS unit_parents_parent ON {s}.unit_parents (parent_id, valid_from);

CREATE TABLE IF NOT EXISTS {s}.assets (
    asset_id  text PRIMARY KEY,
    kind      text NOT NULL,
    unit_id   text
);

CREATE TABLE IF NOT EXISTS {s}.facts (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key          text   NOT NULL,
    fact         text   NOT NULL,
    unit_id      text,
    via_station  text,
    via_code     text,
    value        float8 NOT NULL,
    valid_from   date   NOT NULL,
    valid_to     date
);
CREATE UNIQUE INDEX IF NOT EXISTS facts_open ON {s}.facts (key, fact) WHERE valid_to IS NULL;
CREATE INDEX IF NOT EXISTS facts_key ON {s}.facts (key);
CREATE INDEX IF NOT EXISTS facts_unit ON {s}.facts (unit_id, fact);
CREATE INDEX IF NOT EXISTS facts_via_station ON {s}.facts (via_station) WHERE unit_id IS NULL;
CREATE INDEX IF NOT EXISTS facts_via_code ON {s}.facts (via_code) WHERE unit_id IS NULL;
"""
