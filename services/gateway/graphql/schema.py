"""The public GraphQL schema and the extensions every operation runs through.

Extensions are passed as classes or factories, never instances: strawberry makes one per
operation, so no state leaks between concurrent requests. Order matters: persisted queries
first (they may supply the document), then the error mapping (it sees every error after),
then the limits, which refuse a document before anything runs.
"""

from __future__ import annotations

import functools
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from services.gateway.adapters.persisted_queries import PersistedQueries
from services.gateway.graphql.context import GatewayContext
from services.gateway.graphql.errors import ErrorMapping
from services.gateway.graphql.limits import Limits, cost_limit
from services.gateway.graphql.mutations import Mutation
from services.gateway.graphql.persisted import persisted_queries
from services.gateway.graphql.queries import Query
from services.gateway.graphql.scalars import PERIOD_SCALAR, Period
from services.gateway.graphql.subscriptions import Subscription
from services.gateway.graphql.types_units import BtsStation, DigitalTeam


class InternalCalls(SchemaExtension):
    """Reports the internal calls an operation made, per service, in ``extensions.internalCalls``
    (how a client or a test sees that a nested query cost one call per service per level)."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if isinstance(context, GatewayContext):
            return {"internalCalls": dict(context.stats.calls)}
        return {}


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Logged once, by ``ErrorMapping``, with the ids the caller sees; not here as well."""


def build_schema(limits: Limits, store: PersistedQueries | None = None) -> strawberry.Schema:
    extensions: list[Any] = []
    if store is not None:
        extensions.append(persisted_queries(store, only_persisted=limits.persisted_queries_only))
    extensions += [
        ErrorMapping,
        functools.partial(QueryDepthLimiter, max_depth=limits.max_depth),
        functools.partial(MaxAliasesLimiter, max_alias_count=limits.max_aliases),
        functools.partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        cost_limit(limits.max_cost),
        InternalCalls,
    ]
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[BtsStation, DigitalTeam],
        extensions=extensions,
        config=StrawberryConfig(scalar_map={Period: PERIOD_SCALAR}),
    )
