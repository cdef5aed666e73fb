"""asyncpg repositories of the metrics service."""
