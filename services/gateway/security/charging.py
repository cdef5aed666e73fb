"""What a GraphQL operation costs the caller: tokens of its rate limit, charged once it is known
to be valid, and one of its execution slots while a query or mutation runs.

A request is charged one token before its body is read (``wiring.GatewaySecurity.admit``); a
WebSocket one at ``connection_init``. An operation then costs what it asks for: a mutation one
per root field (thirty aliased mutations are thirty commands), a subscription one, a query one.
What the request's own token already paid is not charged again, so a query sent over HTTP
costs exactly one token, as before. Operations sent over a WebSocket have nothing prepaid:
each subscription, and each query or mutation sent through the socket, is charged.

A query or mutation runs in one of its caller's execution slots (``slots.ExecutionSlots``),
whichever transport brought it: an HTTP request's or one of the many a WebSocket may run at
once (strawberry allows ``max_subscriptions_per_connection`` operations per socket), so a
partner's sockets together run no more than its cap. ``ExecutionSlot`` takes it around
execution only, after every refusal and after the body was read. A subscription takes none: it
waits for events rather than runs, and the caller's subscriptions are capped instead.

A subscription also holds one of the caller's subscriptions (``slots.OpenCounts``) until it
ends. The extension runs after validation and the cost limit: a document that would be refused
anyway costs nothing more. A refusal is the operation's only error, with ``extensions.code``
``RATE_LIMITED`` (or ``SUBSCRIPTION_LIMIT``) and ``retryAfter``; over HTTP the answer is a 429
with ``Retry-After`` and the ``RateLimit-*`` headers (``edge``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from graphql.language import DocumentNode, FragmentDefinitionNode
from litestar.types import Scope
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from libs.common.errors import RateLimitedError
from libs.common.principal import Principal
from services.gateway.graphql.context import GatewayContext
from services.gateway.graphql.errors import error_code
from services.gateway.security.edge import remember
from services.gateway.security.rate_limit import RateLimiter, RateLimitExceededError
from services.gateway.security.slots import ExecutionSlots, OpenCounts

HTTP_TOO_MANY_REQUESTS = 429


@dataclass(slots=True)
class Meter:
    """One caller's charges for one HTTP request or one WebSocket connection."""

    limiter: RateLimiter
    subscriptions: OpenCounts
    slots: ExecutionSlots
    principal: Principal | None
    client_host: str | None
    key: str
    """The caller's key for what it holds open (``callers.caller_key``)."""
    scope: Scope
    prepaid: int = 0
    """Tokens already taken for this request (its admission)."""
    open_subscriptions: int = field(default=0)
    bulk_items: RateLimiter | None = None
    """The item quota a batch mutation is charged its items to (ADR 0040)."""

    async def start(self, operation: OperationType, cost: int) -> None:
        """Charge an operation (``RateLimitedError`` if refused); a subscription is held until ``end``."""
        paid = min(cost, self.prepaid)
        due = cost - paid
        self.prepaid -= paid
        subscription = operation is OperationType.SUBSCRIPTION
        if subscription:
            self.subscriptions.open(self.key)
        try:
            if due:
                remember(self.scope, await self.limiter.check(self.principal, self.client_host, due, paid=paid))
        except RateLimitExceededError as refused:
            remember(self.scope, refused.decision)
            if subscription:
                self.subscriptions.close(self.key)
            raise
        if subscription:
            self.open_subscriptions += 1

    async def charge_items(self, items: int) -> None:
        """A batch mutation's items, from the bulk item quota (``RateLimitExceededError`` if refused)."""
        if self.bulk_items is None:
            return
        try:
            remember(self.scope, await self.bulk_items.check(self.principal, self.client_host, items))
        except RateLimitExceededError as refused:
            remember(self.scope, refused.decision)
            raise

    def end(self) -> None:
        """A subscription charged by ``start`` has ended."""
        if self.open_subscriptions:
            self.open_subscriptions -= 1
            self.subscriptions.close(self.key)


def operation_cost(document: DocumentNode, operation_name: str | None) -> tuple[OperationType, int] | None:
    """The chosen operation's type and cost; None if the document names no single operation
    (validation has refused it already)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if len(chosen) != 1:
        return None
    operation = chosen[0]
    kind = OperationType(operation.operation.value)
    if kind is not OperationType.MUTATION:
        return kind, 1
    return kind, max(1, _root_fields(operation.selection_set, fragments, frozenset()))


def _root_fields(
    selection: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: frozenset[str]
) -> int:
    count = 0
    for node in selection.selections:
        if isinstance(node, FieldNode):
            count += 0 if node.name.value.startswith("__") else 1
        elif isinstance(node, InlineFragmentNode):
            count += _root_fields(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value not in seen:
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                count += _root_fields(fragment.selection_set, fragments, seen | {node.name.value})
    return count


class OperationCharge(SchemaExtension):
    """Charges each operation to the caller's ``Meter`` (on the context; none: nothing charged)."""

    async def on_operation(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            # A subscription's operation lasts as long as its stream.
            meter = _meter(self.execution_context.context)
            if meter is not None and getattr(self, "_holds", False):
                meter.end()

    async def on_validate(self) -> AsyncIterator[None]:
        context = self.execution_context
        meter = _meter(context.context)
        document = context.graphql_document
        if meter is not None and document is not None and not context.pre_execution_errors:
            found = operation_cost(document, context.operation_name)
            if found is not None:
                kind, cost = found
                try:
                    await meter.start(kind, cost)
                    self._holds = kind is OperationType.SUBSCRIPTION
                except RateLimitedError as refused:
                    context.pre_execution_errors = [_refusal(refused)]
                    gateway_context = context.context
                    if isinstance(gateway_context, GatewayContext) and gateway_context.response is not None:
                        gateway_context.response.status_code = HTTP_TOO_MANY_REQUESTS
        yield


class ExecutionSlot(SchemaExtension):
    """Runs a query or mutation in one of its caller's execution slots (on the context's
    ``Meter``; none: no slot), over HTTP and over a WebSocket alike."""

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        meter = _meter(context.context)
        if meter is None or context.operation_type is OperationType.SUBSCRIPTION:
            yield
            return
        async with meter.slots.slot(meter.principal):
            yield


def _meter(context: object) -> Meter | None:
    meter = getattr(context, "meter", None)
    return meter if isinstance(meter, Meter) else None


def _refusal(refused: RateLimitedError) -> GraphQLError:
    return GraphQLError(
        refused.message,
        extensions={"code": error_code(refused), "retryAfter": refused.retry_after, "details": refused.details},
    )
