-- The gateway service owns this schema: its event store, read models and checkpoints live here.
CREATE SCHEMA IF NOT EXISTS gateway;
