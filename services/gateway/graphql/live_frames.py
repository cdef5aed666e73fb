"""The ``events`` subscription's messages, written without strawberry's per-result work.

For each result of a subscription strawberry executes the selection set again (graphql-core
coerces the root field's arguments, collects the fields and calls a resolver per field), asks
every schema extension for its results and enters a context manager per extension: almost all
of what a delivery costs once the event is read (docs/adr/0050-live-feed-replay-and-ceiling.md).

A selection of ``events`` that names only leaves of ``Event`` (aliases allowed; no fragments,
directives or arguments below the root field) is read once per subscription into a
``LivePlan``; the resolver then completes each event from the plan and sends its ``next``
message itself, through the operation strawberry runs for it (``LiveOperations`` makes the
operation known to the resolver), so strawberry handles no per-event result. The message is
encoded here, once, with msgspec (``EncodedMessage``; the controller's ``encode_json`` sends
those bytes as they are): an event's data goes out as the JSON its record carried when the
reader may see all of it (``visible_json``), not decoded and encoded again. Everything
before the first event stays strawberry's: parsing, validation, limits, charging, refusals
and their error mapping; and so does any other selection, which is executed as always.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Any, cast

import msgspec
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import NextMessage
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from libs.common.principal import Principal
from services.gateway.events.hub import LiveEvent
from services.gateway.events.payloads import visible_json

Read = Callable[[LiveEvent, Principal], object]

EVENT_LEAVES: dict[str, Read] = {
    "id": lambda e, _: e.event_id,
    "type": lambda e, _: e.type,
    "streamId": lambda e, _: e.stream_id,
    "occurredAt": lambda e, _: e.occurred_at.isoformat(),
    "recordedAt": lambda e, _: e.recorded_at.isoformat(),
    "unitCode": lambda e, _: e.unit_code,
    "data": visible_json,
    "cursor": lambda e, _: cursor_text(e),
    "__typename": lambda _, __: "Event",
}
"""``Event``'s fields as its GraphQL type serialises them (DateTime: ISO 8601, as strawberry
does; ``data`` as JSON, whole or without what the reader may not see). A field missing here is
executed the ordinary way: slower, never wrong."""

_encode = msgspec.json.Encoder().encode


class EncodedMessage(dict[str, str]):
    """A ``next`` message already encoded: strawberry reads its ``id`` and ``type`` (for the
    protocol's state), and the gateway controller's ``encode_json`` sends ``encoded`` as it is."""

    __slots__ = ("encoded",)

    def __init__(self, operation_id: str, encoded: bytes) -> None:
        super().__init__(id=operation_id, type="next")
        self.encoded = encoded


def encoded_or_none(message: object) -> bytes | None:
    """The bytes of a message this module encoded (``None``: any other message)."""
    return message.encoded if isinstance(message, EncodedMessage) else None


BURST = 100
"""Messages a subscription sends before it lets the loop run other work: a replay reads its
records in batches of thousands and, with nothing to wait for, would otherwise hold the loop
(other subscribers' deliveries, pings) for the whole batch."""

running_operation: contextvars.ContextVar[Operation[Any, Any] | None] = contextvars.ContextVar(
    "tinhso_live_operation", default=None
)
"""The graphql-transport-ws operation the current task runs (set by ``LiveOperations``)."""


class LiveOperations(BaseGraphQLTransportWSHandler[Any, Any]):
    """strawberry's graphql-transport-ws handler; each operation's task knows its operation."""

    async def run_operation(self, operation: Operation[Any, Any]) -> None:
        # The task runs the operation's resolver too: it sees this operation, no other.
        running_operation.set(operation)
        await super().run_operation(operation)


def cursor_text(event: LiveEvent) -> str:
    """The event's cursor on the wire; an event without one (never the consumer's) gives its id."""
    if event.cursor_text is not None:
        return event.cursor_text
    return event.cursor.encode() if event.cursor is not None else event.event_id


class LivePlan:
    """How to complete one subscription's ``events`` selection, and send it."""

    def __init__(self, operation: Operation[Any, Any], root_key: str, leaves: dict[str, Read]) -> None:
        self.operation = operation
        self.root_key = root_key
        self.leaves = list(leaves.items())
        self._burst = 0

    def completed(self, event: LiveEvent, reader: Principal) -> dict[str, Any]:
        """One ``Event`` of the selection, as the executor would complete it."""
        return {key: read(event, reader) for key, read in self.leaves}

    def data(self, event: LiveEvent, reader: Principal) -> dict[str, Any]:
        """What the executor would answer for ``event`` as ``data``."""
        return {self.root_key: self.completed(event, reader)}

    async def send(self, event: LiveEvent, reader: Principal) -> None:
        await self.send_data(self.data(event, reader))

    async def send_data(self, data: dict[str, Any]) -> None:
        operation = self.operation
        encoded = _encode({"id": operation.id, "type": "next", "payload": {"data": data}})
        # A NextMessage to strawberry, which reads only its id and type before encode_json.
        await operation.send_operation_message(cast(NextMessage, EncodedMessage(operation.id, encoded)))
        self._burst += 1
        if self._burst >= BURST:
            self._burst = 0
            await asyncio.sleep(0)


BatchRead = Callable[[LivePlan, list[LiveEvent], Principal], object]

BATCH_FIELDS: dict[str, BatchRead] = {
    "events": lambda plan, batch, reader: [plan.completed(event, reader) for event in batch],
    "cursor": lambda _, batch, __: cursor_text(batch[-1]),
    "__typename": lambda _, __, ___: "EventBatch",
}
"""``EventBatch``'s fields; ``events`` is completed with the plan of its ``Event`` leaves."""


class BatchPlan:
    """How to complete one subscription's ``eventBatches`` selection, and send it."""

    def __init__(self, events: LivePlan, fields: dict[str, BatchRead]) -> None:
        self.events = events
        self.fields = list(fields.items())

    def data(self, batch: list[LiveEvent], reader: Principal) -> dict[str, Any]:
        """What the executor would answer for ``batch`` as ``data``."""
        plan = self.events
        return {plan.root_key: {key: read(plan, batch, reader) for key, read in self.fields}}

    async def send(self, batch: list[LiveEvent], reader: Principal) -> None:
        await self.events.send_data(self.data(batch, reader))


def _plain(selection: object) -> SelectedField | None:
    """``selection`` when it is a field without directives or arguments (None otherwise)."""
    if not isinstance(selection, SelectedField) or selection.directives or selection.arguments:
        return None
    return selection


def _leaves(root: SelectedField) -> dict[str, Read] | None:
    leaves: dict[str, Read] = {}
    for selection in root.selections:
        field = _plain(selection)
        if field is None:
            return None
        read = EVENT_LEAVES.get(field.name)
        if read is None or field.selections:
            return None
        leaves.setdefault(field.alias or field.name, read)
    return leaves


def _root(info: Info[Any, Any]) -> tuple[Operation[Any, Any], SelectedField] | None:
    """The operation and the one root field, when the subscription runs over the gateway's
    WebSocket handler and its root field has no directives."""
    operation = running_operation.get()
    if operation is None:
        return None
    roots = info.selected_fields
    if len(roots) != 1 or not isinstance(roots[0], SelectedField) or roots[0].directives:
        return None
    return operation, roots[0]


def plan_of(info: Info[Any, Any]) -> LivePlan | None:
    """The plan of the ``events`` field ``info`` resolves, when its selection can have one and it
    runs over the gateway's WebSocket handler (``None``: execute it)."""
    found = _root(info)
    if found is None:
        return None
    operation, root = found
    leaves = _leaves(root)
    if not leaves:
        return None
    return LivePlan(operation, root.alias or root.name, leaves)


def batch_plan_of(info: Info[Any, Any]) -> BatchPlan | None:
    """The plan of the ``eventBatches`` field ``info`` resolves, on the same terms as
    :func:`plan_of`; its ``events`` may be selected once."""
    found = _root(info)
    if found is None:
        return None
    operation, root = found
    fields: dict[str, BatchRead] = {}
    leaves: dict[str, Read] | None = None
    for selection in root.selections:
        field = _plain(selection)
        if field is None or field.name not in BATCH_FIELDS:
            return None
        key = field.alias or field.name
        if field.name == "events":
            if leaves is not None:
                return None
            leaves = _leaves(field)
            if not leaves:
                return None
        elif field.selections:
            return None
        fields[key] = BATCH_FIELDS[field.name]
    return BatchPlan(LivePlan(operation, root.alias or root.name, leaves or {}), fields)
