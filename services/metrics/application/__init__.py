"""Command handlers and queries of the metrics service."""
