"""The live feed's events, completed without running the GraphQL executor for each one.

A subscription runs its selection set again for every event it delivers; for
``events { id recordedAt cursor }`` graphql-core coerces the root field's arguments, collects
the fields and calls a resolver per field each time, which is most of what a delivery costs
(docs/adr/0036-live-feed-delivery-cost.md). Such a selection names only leaves of ``Event``,
whose values are the event's own attributes, so this executor reads it once per subscription
into a plan (response key → how to read the value) and, for each event, builds the result
from the plan. A selection with anything else (fragments, directives, arguments, another
root field) is executed as always; so are queries and mutations, whose root value is never
an ``Event``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import ExecutionResult, FieldNode, OperationType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from services.gateway.graphql.subscriptions import Event

Read = Callable[[Event], object]

EVENT_LEAVES: dict[str, Read] = {
    "id": lambda e: e.id,
    "type": lambda e: e.type,
    "streamId": lambda e: e.stream_id,
    "occurredAt": lambda e: e.occurred_at.isoformat(),
    "recordedAt": lambda e: e.recorded_at.isoformat(),
    "unitCode": lambda e: e.unit_code,
    "data": lambda e: e.data,
    "cursor": lambda e: e.cursor,
    "__typename": lambda _: "Event",
}
"""``Event``'s fields as its GraphQL type serializes them (DateTime: ISO 8601, as strawberry)."""


class LivePlan:
    """How to complete one subscription's ``events`` selection from an ``Event``."""

    def __init__(self, root_key: str, leaves: dict[str, Read]) -> None:
        self.root_key = root_key
        self.leaves = list(leaves.items())

    def result(self, event: Event) -> ExecutionResult:
        return ExecutionResult(data={self.root_key: {key: read(event) for key, read in self.leaves}})


def _plain(node: object) -> FieldNode | None:
    """The node, if it is a field with no directives (fragments and directives: no plan)."""
    return node if isinstance(node, FieldNode) and not node.directives else None


def plan_of(execution: StrawberryGraphQLCoreExecutionContext) -> LivePlan | None:
    operation = execution.operation
    if operation.operation is not OperationType.SUBSCRIPTION or len(operation.selection_set.selections) != 1:
        return None
    root = _plain(operation.selection_set.selections[0])
    if root is None or root.name.value != "events" or root.selection_set is None:
        return None
    leaves: dict[str, Read] = {}
    for selection in root.selection_set.selections:
        field = _plain(selection)
        if field is None or field.arguments or field.selection_set is not None:
            return None
        read = EVENT_LEAVES.get(field.name.value)
        if read is None:
            return None
        leaves.setdefault(field.alias.value if field.alias else field.name.value, read)
    return LivePlan(root.alias.value if root.alias else root.name.value, leaves)


_UNPLANNED: Any = object()


class _PlannedEvent:
    """What graphql-core executes for one event of a planned subscription: the plan's result.
    It stands in for the per-event copy of the executor, which only ``execute_operation`` of
    is used (``execute_subscription_event``): copying the executor cost more than the plan."""

    __slots__ = ("event", "plan")

    def __init__(self, plan: LivePlan, event: Event) -> None:
        self.plan = plan
        self.event = event

    def execute_operation(self, serially: bool | None = None) -> ExecutionResult:
        return self.plan.result(self.event)


class LiveEventExecution(StrawberryGraphQLCoreExecutionContext):
    """strawberry's executor, with ``events`` subscriptions completed from a plan."""

    live_plan: LivePlan | None = _UNPLANNED
    """Made by the subscription's executor before its first event."""

    def build_per_event_executor(self, payload: Any) -> Any:
        if self.live_plan is _UNPLANNED:
            self.live_plan = plan_of(self)
        if self.live_plan is not None and isinstance(payload, Event):
            return _PlannedEvent(self.live_plan, payload)
        return super().build_per_event_executor(payload)
