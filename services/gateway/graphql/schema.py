"""The public GraphQL schema and the extensions every operation runs through.

Extensions are passed as classes or factories, never instances: strawberry makes one per
operation, so no state leaks between concurrent requests. Order matters: the document size
first (before anything stores or parses the text), then persisted queries (they may supply the
document), then the error mapping (it sees every error after), then the limits, which refuse a
document before anything runs, parsing and validating it through the byte-bounded cache, then
the charge, then the response cache (ADR 0048), then the execution slot.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterator
from typing import Any

import msgspec
import strawberry
from graphql import GraphQLError
from opentelemetry import metrics
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    max_aliases,
    query_depth_limiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from libs.common.access_log import note_request
from libs.common.prometheus_metrics import GRAPHQL_OPERATIONS, operation_label
from services.gateway.adapters.persisted_queries import PersistedQueries
from services.gateway.cache.answers import AnswerCache
from services.gateway.cache.extension import answer_caching
from services.gateway.graphql.context import GatewayContext
from services.gateway.graphql.documents import DocumentCache, NoIntrospection, document_cache, document_size_limit
from services.gateway.graphql.errors import ErrorMapping, map_error
from services.gateway.graphql.limits import Limits, UnitCounts, cost_limit
from services.gateway.graphql.mutations import Mutation
from services.gateway.graphql.mutations_alerts import AlertMutation
from services.gateway.graphql.mutations_bulk import BulkMutation
from services.gateway.graphql.mutations_incidents import IncidentMutation
from services.gateway.graphql.mutations_metrics import MetricsMutation
from services.gateway.graphql.mutations_operations import OperationsMutation
from services.gateway.graphql.mutations_programmes import ProgrammeMutation
from services.gateway.graphql.mutations_registry import RegistryMutation
from services.gateway.graphql.mutations_schedules import ScheduleMutation
from services.gateway.graphql.mutations_unit_groups import UnitGroupMutation
from services.gateway.graphql.persisted import persisted_queries
from services.gateway.graphql.queries import Query
from services.gateway.graphql.queries_alerts import AlertQuery
from services.gateway.graphql.queries_feed import FeedQuery
from services.gateway.graphql.queries_operations import OperationsQuery
from services.gateway.graphql.queries_signal import SignalQuery
from services.gateway.graphql.scalars import PERIOD_SCALAR, Period
from services.gateway.graphql.source_link import SourceLinkMutation, SourceLinkQuery
from services.gateway.graphql.subscriptions import Subscription
from services.gateway.graphql.transport import SubscriptionsOverWebSocket
from services.gateway.graphql.types_registry_assets import (
    InformationSystem,
    Organisation,
    PostalPoint,
    VideoEndpoint,
    WifiHotspot,
)
from services.gateway.graphql.types_units import BtsStation, DigitalTeam
from services.gateway.reads.graphql_fields import query_type
from services.gateway.reads.metrics import METRICS_READS
from services.gateway.reads.registry import REGISTRY_READS
from services.gateway.reads.schedules import SCHEDULE_READS
from services.gateway.security.charging import ExecutionSlot, OperationCharge


class _Instruments:
    def __init__(self) -> None:
        meter = metrics.get_meter("tinhso.gateway")
        self.operations = meter.create_counter(
            "tinhso.gateway.graphql.operations", description="GraphQL operations by type and outcome"
        )
        self.duration = meter.create_histogram(
            "tinhso.gateway.graphql.duration", unit="s", description="Time to answer a GraphQL operation"
        )
        self.internal_calls = meter.create_histogram(
            "tinhso.gateway.graphql.internal_calls", description="Internal service calls one operation made"
        )


@functools.cache
def _instruments() -> _Instruments:
    """Made on first use, after the process installed its meter provider (instruments are per process)."""
    return _Instruments()


class InternalCalls(SchemaExtension):
    """Reports the internal calls an operation made, per service, in ``extensions.internalCalls``
    (how a client or a test sees that a nested query cost one call per service per level), and
    records the operation in the gateway's metrics."""

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        context = self.execution_context
        attributes = {
            "graphql.operation.type": _operation_type(context),
            "outcome": "error" if getattr(context.result, "errors", None) else "ok",
        }
        GRAPHQL_OPERATIONS.labels(operation_label(context.operation_name), attributes["outcome"]).inc()
        note_request(graphql_operation=context.operation_name)
        instruments = _instruments()
        instruments.operations.add(1, attributes)
        instruments.duration.record(time.perf_counter() - started, attributes)
        if isinstance(context.context, GatewayContext):
            instruments.internal_calls.record(sum(context.context.stats.calls.values()), attributes)

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        if not isinstance(context, GatewayContext):
            return {}
        results: dict[str, Any] = {"internalCalls": dict(context.stats.calls)}
        warnings = context.loaders.writer.warnings
        if warnings:
            # An answer that succeeded but that the caller should know about (a read model that
            # had not caught up with a write: ``read_back``), each with a stable ``code``.
            results["warnings"] = [msgspec.to_builtins(w) for w in warnings]
        return results


def _operation_type(context: ExecutionContext) -> str:
    try:
        return context.operation_type.value
    except RuntimeError:  # the document did not parse or names no operation
        return "unknown"


def _validation_limits(limits: Limits) -> list[type[SchemaExtension]]:
    """strawberry's depth and alias limiters (and introspection turned off) with their
    validation rules made once, not per operation: the document cache keeps a validation result
    for the rules it was made with, so fresh rule classes would never hit it."""
    depth_rule = query_depth_limiter.create_validator(limits.max_depth, None)
    alias_rule = max_aliases.create_validator(limits.max_aliases)

    class DepthLimit(QueryDepthLimiter):
        def __init__(self) -> None:
            AddValidationRules.__init__(self, [depth_rule])

    class AliasLimit(MaxAliasesLimiter):
        def __init__(self) -> None:
            AddValidationRules.__init__(self, [alias_rule])

    class IntrospectionOff(AddValidationRules):
        def __init__(self) -> None:
            super().__init__([NoIntrospection])

    rules: list[type[SchemaExtension]] = [DepthLimit, AliasLimit]
    return rules if limits.introspection else [*rules, IntrospectionOff]


class GatewaySchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Every error list strawberry produces passes here, including those raised before the
        operation's extensions could see the result (a syntax error from the parser cache), so
        the mapping is applied here, in place; ``ErrorMapping`` applies it again, harmlessly
        (a mapped error maps to itself). Unexpected errors are logged once, by the mapping."""
        errors[:] = [map_error(error) for error in errors]


def build_schema(
    limits: Limits,
    store: PersistedQueries | None = None,
    units_at_level: UnitCounts | None = None,
    answers: AnswerCache | None = None,
) -> strawberry.Schema:
    """``units_at_level``: how many units the gateway knows at a level, for the cost of the lists
    covering a whole level (without it, they cost the most the metrics service answers);
    ``answers``: the response cache (None: every query is executed)."""
    extensions: list[Any] = [document_size_limit(limits.max_document_bytes)]
    if store is not None:
        extensions.append(
            persisted_queries(
                store, only_persisted=limits.persisted_queries_only, per_partner=limits.persisted_queries_per_partner
            )
        )
    extensions += [
        ErrorMapping,
        functools.partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        *_validation_limits(limits),
        document_cache(DocumentCache(limits.cache_bytes)),  # one per schema: per process
        # After the cached validation: the cost depends on the variables.
        cost_limit(limits.max_cost, *([units_at_level] if units_at_level else [])),
        SubscriptionsOverWebSocket,
        OperationCharge,  # after every refusal: a document refused anyway costs nothing more
        # Before the slot: an answer served from the cache, or awaited from an identical query
        # in flight, holds none of the caller's slots.
        *([answer_caching(answers)] if answers is not None else []),
        ExecutionSlot,  # the caller's slot around execution only, whatever the transport
        InternalCalls,
    ]
    return GatewaySchema(
        query=merge_types(
            "Query",
            (
                Query,
                AlertQuery,
                SignalQuery,
                OperationsQuery,
                FeedQuery,
                SourceLinkQuery,
                query_type(REGISTRY_READS),
                query_type(METRICS_READS),
                query_type(SCHEDULE_READS),
            ),
        ),
        mutation=merge_types(
            "Mutation",
            (
                Mutation,
                AlertMutation,
                IncidentMutation,
                ScheduleMutation,
                ProgrammeMutation,
                OperationsMutation,
                BulkMutation,
                RegistryMutation,
                MetricsMutation,
                UnitGroupMutation,
                SourceLinkMutation,
            ),
        ),
        subscription=Subscription,
        types=[BtsStation, DigitalTeam, Organisation, PostalPoint, VideoEndpoint, WifiHotspot, InformationSystem],
        extensions=extensions,
        config=StrawberryConfig(scalar_map={Period: PERIOD_SCALAR}),
    )
