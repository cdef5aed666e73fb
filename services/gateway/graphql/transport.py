"""Subscriptions are served over the WebSocket (``graphql-transport-ws``) only.

Over HTTP, strawberry would run a subscription as a stream (multipart or server-sent events)
that the gateway's admission, charging and live-feed cursor do not cover; such a request is
refused with a code before anything runs, instead of failing inside the resolver.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext
from strawberry.types.graphql import OperationType

from services.gateway.graphql.context import GatewayContext


class SubscriptionsOverWebSocket(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if (
            context.graphql_document is not None
            and not context.pre_execution_errors
            and isinstance(context.context, GatewayContext)
            and context.context.request is not None  # set for HTTP only
            and _operation_type(context) is OperationType.SUBSCRIPTION
        ):
            context.pre_execution_errors = [
                GraphQLError(
                    "subscriptions are served over the WebSocket at /graphql (graphql-transport-ws), not over HTTP",
                    extensions={"code": "SUBSCRIPTION_NEEDS_WEBSOCKET"},
                )
            ]
        yield


def _operation_type(context: ExecutionContext) -> OperationType | None:
    try:
        return context.operation_type
    except RuntimeError:  # no operation of that name in the document: validation says so
        return None
