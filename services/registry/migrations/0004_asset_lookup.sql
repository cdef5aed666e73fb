-- The command side's index of assets whose rules span streams: organisation codes are unique,
-- a unit has at most one active digital team and at most one radio station that is not
-- decommissioned. Written in the same transaction as the asset's events, so the rules are
-- decided on committed truth; two concurrent writers meet at the unique index and the loser
-- gets a conflict (409), with nothing half-written.
CREATE TABLE registry.asset_lookup (
    asset_id  text    PRIMARY KEY,
    kind      text    NOT NULL,
    unit_id   text,
    code      text,
    active    boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX asset_lookup_organisation_code ON registry.asset_lookup (code)
    WHERE kind = 'organisation';
CREATE UNIQUE INDEX asset_lookup_one_active_team ON registry.asset_lookup (unit_id)
    WHERE kind = 'digital_team' AND active;
CREATE UNIQUE INDEX asset_lookup_one_station ON registry.asset_lookup (unit_id)
    WHERE kind = 'radio_station' AND active;
