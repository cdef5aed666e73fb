"""The event store each service keeps in its own schema: append-only, gap-safe, idempotent."""
