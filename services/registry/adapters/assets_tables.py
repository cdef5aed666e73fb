"""DDL of the assets read model (``registry_assets``), kept apart from its writes
(``assets_writer.py``).

``{s}`` is the schema: the projection's own, or a shadow one during a blue/green rebuild.

Whether a cluster receives the broadcast is not here: signal health belongs to the broadcast
service (``docs/services/broadcast.md``), which answers it live. Read models built before that
was settled had ``speaker_clusters.signal`` and ``signal_observed_at``, never written; the DDL
drops them, so a model is the same whether it was built before or after.
"""

from __future__ import annotations

TABLES_SQL = """
CREATE TABLE IF NOT EXISTS {s}.organisations (
    organisation_id  text PRIMARY KEY,
    code             text NOT NULL,
    name             text NOT NULL,
    kind             text NOT NULL,
    unit_id          text
);
CREATE INDEX IF NOT EXISTS organisations_code ON {s}.organisations (code);

CREATE TABLE IF NOT EXISTS {s}.digital_teams (
    team_id             text PRIMARY KEY,
    unit_id             text NOT NULL,
    level               text NOT NULL,
    established_on      date NOT NULL,
    member_count        integer NOT NULL,
    members             jsonb NOT NULL DEFAULT '[]',
    members_changed_on  date,
    active              boolean NOT NULL,
    disbanded_on        date,
    disband_reason      text,
    last_activity_on    date,
    activity_reports    integer NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS digital_teams_unit ON {s}.digital_teams (unit_id);
CREATE TABLE IF NOT EXISTS {s}.team_activities (
    event_id              uuid PRIMARY KEY,
    team_id               text NOT NULL,
    reported_on           date NOT NULL,
    households_supported  integer NOT NULL,
    sessions              integer NOT NULL,
    summary               text
);
CREATE INDEX IF NOT EXISTS team_activities_team ON {s}.team_activities (team_id, reported_on);

CREATE TABLE IF NOT EXISTS {s}.radio_stations (
    station_id      text PRIMARY KEY,
    unit_id         text NOT NULL,
    technology      text NOT NULL,
    status          text NOT NULL,
    installed_on    date,
    funding_source  text,
    operator_id     text,
    upgraded_on     date,
    status_since    date
);
CREATE INDEX IF NOT EXISTS radio_stations_unit ON {s}.radio_stations (unit_id);
CREATE TABLE IF NOT EXISTS {s}.station_upgrades (
    event_id             uuid PRIMARY KEY,
    station_id           text NOT NULL,
    upgraded_on          date NOT NULL,
    technology           text NOT NULL,
    previous_technology  text NOT NULL,
    funding_source       text
);
CREATE INDEX IF NOT EXISTS station_upgrades_station ON {s}.station_upgrades (station_id, upgraded_on);

CREATE TABLE IF NOT EXISTS {s}.speaker_clusters (
    cluster_id          text PRIMARY KEY,
    station_id          text NOT NULL,
    village_id          text,
    latitude            double precision,
    longitude           double precision,
    installed_on        date,
    status              text NOT NULL,
    decommissioned_on   date,
    operator_id         text
);
ALTER TABLE {s}.speaker_clusters DROP COLUMN IF EXISTS signal, DROP COLUMN IF EXISTS signal_observed_at;
CREATE INDEX IF NOT EXISTS speaker_clusters_station ON {s}.speaker_clusters (station_id);
CREATE INDEX IF NOT EXISTS speaker_clusters_village ON {s}.speaker_clusters (village_id);

CREATE TABLE IF NOT EXISTS {s}.bts_stations (
    bts_id             text PRIMARY KEY,
    operator_id        text NOT NULL,
    unit_id            text NOT NULL,
    technologies       text[] NOT NULL,
    latitude           double precision,
    longitude          double precision,
    commissioned_on    date,
    decommissioned_on  date,
    status             text NOT NULL
);
CREATE INDEX IF NOT EXISTS bts_stations_unit ON {s}.bts_stations (unit_id);

CREATE TABLE IF NOT EXISTS {s}.village_fibre (
    village_id    text NOT NULL,
    operator_id   text NOT NULL,
    connected_on  date NOT NULL,
    PRIMARY KEY (village_id, operator_id)
);

CREATE TABLE IF NOT EXISTS {s}.postal_points (
    point_id     text PRIMARY KEY,
    unit_id      text NOT NULL,
    name         text NOT NULL,
    operator_id  text,
    opened_on    date,
    closed_on    date,
    status       text NOT NULL
);
CREATE INDEX IF NOT EXISTS postal_points_unit ON {s}.postal_points (unit_id);

CREATE TABLE IF NOT EXISTS {s}.video_endpoints (
    endpoint_id   text PRIMARY KEY,
    unit_id       text NOT NULL,
    installed_on  date,
    operator_id   text
);
CREATE INDEX IF NOT EXISTS video_endpoints_unit ON {s}.video_endpoints (unit_id);

CREATE TABLE IF NOT EXISTS {s}.wifi_hotspots (
    hotspot_id    text PRIMARY KEY,
    unit_id       text NOT NULL,
    operator_id   text,
    latitude      double precision,
    longitude     double precision,
    installed_on  date
);
CREATE INDEX IF NOT EXISTS wifi_hotspots_unit ON {s}.wifi_hotspots (unit_id);

CREATE TABLE IF NOT EXISTS {s}.information_systems (
    system_id              text PRIMARY KEY,
    name                   text NOT NULL,
    owner_agency           text NOT NULL,
    hosted_in_data_centre  boolean NOT NULL,
    security_level         integer,
    approved_on            date,
    decision               text,
    operator_id            text
);
CREATE TABLE IF NOT EXISTS {s}.security_approvals (
    event_id     uuid PRIMARY KEY,
    system_id    text NOT NULL,
    level        integer NOT NULL,
    approved_on  date NOT NULL,
    decision     text
);
CREATE INDEX IF NOT EXISTS security_approvals_system ON {s}.security_approvals (system_id, approved_on);

CREATE TABLE IF NOT EXISTS {s}.operator_history (
    event_id                  uuid PRIMARY KEY,
    asset_id                  text NOT NULL,
    asset_kind                text NOT NULL,
    organisation_id           text NOT NULL,
    previous_organisation_id  text,
    effective_on              date NOT NULL
);
CREATE INDEX IF NOT EXISTS operator_history_asset ON {s}.operator_history (asset_id, effective_on);
"""
