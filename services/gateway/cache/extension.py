"""The response cache in GraphQL execution: a query's answer is served from ``AnswerCache``
when the same document, variables and visibility were answered and nothing in the answer's
scope changed since (what changes it: ``cache.invalidation``).

Visibility is what decides what a principal may see: its scopes (``read``, ``personal-data``,
``admin``…), the operator it acts for and the unit it is bound to. Two principals equal in
those see the same answers (services and resolvers decide by nothing else), so they share
entries; any difference is a different entry. An anonymous caller's answers are not kept.

Only an answer without errors is kept, and only one built wholly from internal reads through
the caller (``CallStats.reads``): a document selecting a field computed from the clock
(``VOLATILE_FIELDS``) is answered afresh every time. Identical queries that miss together are
read once: the others wait for the first and take its answer unless its scope changed after
that read began and before they asked (``AnswerCache.share``, ADR 0061).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Callable

import cachetools
import msgspec
from graphql import DocumentNode, ExecutionResult, FieldNode, Visitor, visit
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from libs.common.principal import Principal
from services.gateway.cache.answers import Answer, AnswerCache, Landed, Ticket
from services.gateway.cache.scope import read_keys
from services.gateway.graphql.context import GatewayContext

VOLATILE_FIELDS = frozenset({"liveCursor", "ageSeconds", "activityStatus"})
"""Fields whose value moves with the clock, not with events: an answer with one is never kept."""
FLIGHTS_AWAITED = 2
"""The one in flight on arrival and, if its scope changed before then, the next: that one began
after the caller arrived, so only its errors leave the caller to read for itself."""

_encode = msgspec.json.Encoder(order="sorted")


def visibility(principal: Principal) -> bytes:
    return _encode.encode([sorted(principal.scopes), principal.organisation, principal.unit_code])


class _FieldNames(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_field(self, node: FieldNode, *_: object) -> None:
        self.names.add(node.name.value)


class _Volatility:
    """Whether a document selects a volatile field, remembered per document text."""

    def __init__(self) -> None:
        self._known: cachetools.LRUCache[str, bool] = cachetools.LRUCache(maxsize=1024)

    def __call__(self, query: str, document: DocumentNode) -> bool:
        known = self._known.get(query)
        if known is None:
            names = _FieldNames()
            visit(document, names)
            known = self._known[query] = not VOLATILE_FIELDS.isdisjoint(names.names)
        return known


def answer_caching(cache: AnswerCache) -> Callable[[], SchemaExtension]:
    volatile = _Volatility()

    class AnswerCaching(SchemaExtension):
        async def on_execute(self) -> AsyncIterator[None]:
            execution = self.execution_context
            context = execution.context
            kind = execution.operation_type
            if kind is OperationType.MUTATION:
                yield
                # Its commands and read-backs told the cache; a WebSocket's later operations,
                # on the same caller, read nothing back.
                if isinstance(context, GatewayContext):
                    context.loaders.writer.wrote = None
                return
            key = self._key(context) if kind is OperationType.QUERY else None
            if key is None or not isinstance(context, GatewayContext):
                yield
                return
            answer = await self._cached_or_shared(key)
            if answer is not None:
                execution.result = ExecutionResult(data=answer, errors=None)
                yield
                return
            ticket, flight = cache.ticket(), cache.fly(key)
            context.stats.reads = []
            landed = None
            try:
                yield
                landed = self._landed(context, ticket)
                if landed is not None:
                    cache.put(key, landed.data, landed.keys, landed.ticket)
            finally:
                cache.land(key, flight, landed)

        async def _cached_or_shared(self, key: bytes) -> Answer | None:
            """The kept answer, or that of an identical operation being read: the one in flight
            when this arrived, or, when that one's scope changed before this arrived, the next
            (which began after it). None: this operation reads its own."""
            arrived = cache.ticket()
            answer = cache.get(key)
            for _ in range(FLIGHTS_AWAITED):
                if answer is not None or (flight := cache.in_flight(key)) is None:
                    break
                answer = cache.share(await asyncio.shield(flight), arrived)
            return answer

        def _key(self, context: object) -> bytes | None:
            execution = self.execution_context
            principal = getattr(context, "principal", None)
            query, document = execution.query, execution.graphql_document
            if not isinstance(principal, Principal) or query is None or document is None:
                return None
            if volatile(query, document):
                return None
            digest = hashlib.blake2b(digest_size=20)
            for part in (query, execution.operation_name or "", _encode.encode(execution.variables or {})):
                digest.update(part if isinstance(part, bytes) else part.encode())
                digest.update(b"\0")
            digest.update(visibility(principal))
            return digest.digest()

        def _landed(self, context: GatewayContext, ticket: Ticket) -> Landed | None:
            """The answer with its scope, if it may be kept or shared: no errors, and every
            read through the caller."""
            result = self.execution_context.result
            reads = context.stats.reads
            if reads is None or not isinstance(result, ExecutionResult) or result.errors or result.data is None:
                return None
            keys: set[str] = set()
            for params, content, answer in reads:
                keys |= read_keys(params, content, answer)
            return cache.landed(result.data, keys, ticket)

    return AnswerCaching
