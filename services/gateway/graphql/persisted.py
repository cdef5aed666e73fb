"""Automatic persisted queries, Apollo's protocol (``extensions.persistedQuery.sha256Hash``).

A client first sends only the hash; ``PERSISTED_QUERY_NOT_FOUND`` tells it to send the document
with the hash once, which stores it for every replica. In persisted-only mode (production),
documents that are not stored are refused and only an admin may store new ones, so a partner
can run only the operations that were reviewed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from services.gateway.adapters.persisted_queries import MAX_DOCUMENT_BYTES, PersistedQueries

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def persisted_queries(store: PersistedQueries, *, only_persisted: bool) -> type[SchemaExtension]:
    class PersistedQueryExtension(SchemaExtension):
        async def on_operation(self) -> AsyncIterator[None]:
            context = self.execution_context
            requested = (context.operation_extensions or {}).get("persistedQuery")
            is_admin = bool(getattr(getattr(context.context, "principal", None), "is_admin", False))
            if requested is None:
                if only_persisted and not is_admin:
                    raise _error(
                        "this gateway runs persisted queries only: send extensions.persistedQuery.sha256Hash",
                        "PERSISTED_QUERY_REQUIRED",
                    )
            else:
                await _resolve(context, requested, store, may_store=not only_persisted or is_admin)
            yield

    return PersistedQueryExtension


async def _resolve(context: Any, requested: object, store: PersistedQueries, *, may_store: bool) -> None:
    if not isinstance(requested, dict) or requested.get("version", 1) != 1:
        raise _error("persistedQuery must be {version: 1, sha256Hash: <64 hex>}", "PERSISTED_QUERY_INVALID")
    sha = requested.get("sha256Hash")
    if not isinstance(sha, str) or not _SHA256.match(sha):
        raise _error("persistedQuery.sha256Hash must be 64 lower-case hex digits", "PERSISTED_QUERY_INVALID")
    if context.query:
        if hashlib.sha256(context.query.encode()).hexdigest() != sha:
            raise _error(
                "persistedQuery.sha256Hash is not the SHA-256 of the query sent", "PERSISTED_QUERY_HASH_MISMATCH"
            )
        if await store.get(sha) is None:
            if not may_store:
                raise _error(
                    "only an admin may store new persisted queries on this gateway", "PERSISTED_QUERY_NOT_ALLOWED"
                )
            if len(context.query.encode()) > MAX_DOCUMENT_BYTES:
                raise _error(f"a persisted document is at most {MAX_DOCUMENT_BYTES} bytes", "PERSISTED_QUERY_INVALID")
            await store.put(sha, context.query)
        return
    document = await store.get(sha)
    if document is None:
        raise _error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
    context.query = document
