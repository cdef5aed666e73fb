-- Incidents handled (docs/adr/0051): each incident's command-side facts, written in the same
-- transaction as the events they index. Handling a step looks the incident up here (its commune,
-- for the caller's reach), and the overdue watch finds the incidents nobody acknowledged in time.
CREATE TABLE broadcast.incident_index (
    incident_id       text        PRIMARY KEY,
    cluster_id        text        NOT NULL,
    station_id        text        NOT NULL,
    unit_code         text        NOT NULL,
    opened_at         timestamptz NOT NULL,
    closed_at         timestamptz,
    acknowledged_at   timestamptz,
    assignee_kind     text,
    assignee_code     text,
    resolved_at       timestamptz,
    overdue_raised_at timestamptz
);
-- The overdue watch's question: open, unacknowledged, not yet raised, by opening time.
CREATE INDEX incident_index_unacknowledged ON broadcast.incident_index (opened_at)
    WHERE acknowledged_at IS NULL AND resolved_at IS NULL AND closed_at IS NULL AND overdue_raised_at IS NULL;

-- Incidents opened before this table existed, from the events that opened and closed them.
INSERT INTO broadcast.incident_index (incident_id, cluster_id, station_id, unit_code, opened_at, closed_at)
SELECT o.data->>'incident_id', o.data->>'cluster_id', o.data->>'station_id', o.data->>'unit_code',
       (o.data->>'opened_at')::timestamptz, (c.data->>'closed_at')::timestamptz
FROM broadcast.events o
LEFT JOIN broadcast.events c
       ON c.type = 'broadcast.signal_incident_closed' AND c.stream_id = o.stream_id
      AND c.data->>'incident_id' = o.data->>'incident_id'
WHERE o.type = 'broadcast.signal_incident_opened'
ON CONFLICT (incident_id) DO NOTHING;
