"""The gateway's response cache: whole GraphQL answers, dropped by the events that change them
(docs/adr/0048-response-cache.md)."""
