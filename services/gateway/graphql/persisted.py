"""Automatic persisted queries, Apollo's protocol (``extensions.persistedQuery.sha256Hash``).

A client first sends only the hash; ``PERSISTED_QUERY_NOT_FOUND`` tells it to send the document
with the hash once, which stores it for every replica. Anyone may run a stored document by its
hash, but only an authenticated caller stores one, and a partner stores at most its quota
(``PERSISTED_QUERY_QUOTA``; an admin has none): the store is shared, and lives as long as the
database. In persisted-only mode (production), documents that are not stored are refused and
only an admin may store new ones, so a partner can run only the operations that were reviewed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from libs.common.principal import Principal
from services.gateway.adapters.persisted_queries import PersistedQueries
from services.gateway.security.callers import caller_key

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _error(message: str, code: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code})


def persisted_queries(store: PersistedQueries, *, only_persisted: bool, per_partner: int) -> type[SchemaExtension]:
    class PersistedQueryExtension(SchemaExtension):
        async def on_operation(self) -> AsyncIterator[None]:
            context = self.execution_context
            requested = (context.operation_extensions or {}).get("persistedQuery")
            principal = getattr(context.context, "principal", None)
            caller = principal if isinstance(principal, Principal) else None
            if requested is None:
                if only_persisted and not (caller and caller.is_admin):
                    raise _error(
                        "this gateway runs persisted queries only: send extensions.persistedQuery.sha256Hash",
                        "PERSISTED_QUERY_REQUIRED",
                    )
            else:
                await _resolve(context, requested, store, _Storer(caller, only_persisted, per_partner))
            yield

    return PersistedQueryExtension


class _Storer:
    """Who may store a new document, and how many."""

    def __init__(self, caller: Principal | None, only_persisted: bool, per_partner: int) -> None:
        self.caller = caller
        self.only_persisted = only_persisted
        self.per_partner = per_partner

    async def store(self, store: PersistedQueries, sha: str, document: str) -> None:
        caller = self.caller
        if caller is None:
            raise _error(
                "storing a persisted query needs credentials: send 'Authorization: Bearer <API key or JWT>'",
                "PERSISTED_QUERY_NOT_ALLOWED",
            )
        if self.only_persisted and not caller.is_admin:
            raise _error("only an admin may store new persisted queries on this gateway", "PERSISTED_QUERY_NOT_ALLOWED")
        owner = caller_key(caller)  # the key its rate limit and slots use: partner:…, subject:…
        quota = None if caller.is_admin else self.per_partner
        if not await store.put(sha, document, stored_by=owner, quota=quota):
            raise _error(
                f"{owner} has stored its {self.per_partner} persisted queries; send the query in full",
                "PERSISTED_QUERY_QUOTA",
            )


async def _resolve(context: Any, requested: object, store: PersistedQueries, storer: _Storer) -> None:
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
            # The document size limit, the first extension, has bounded the text already.
            await storer.store(store, sha, context.query)
        return
    document = await store.get(sha)
    if document is None:
        raise _error("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
    context.query = document
