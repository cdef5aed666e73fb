"""Projections: consume topics, keep read models in Postgres with exactly-once effect."""
