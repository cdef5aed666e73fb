# mypy: disallow-untyped-decorators=False
"""Live events for the operations centre, fed by the gateway's consumer through the hub.

``events`` passes events of some types about a unit and everything under it; ``indicatorChanged``
passes the metrics service's value changes. Both need the ``read`` scope (checked per
subscription; the connection authenticated in connection_init) and take ``after``: the
``cursor`` of the last event a reconnecting client saw (any replica resumes it, after a
restart too: ``events.replay``), or that event's bare id while this gateway still holds it.

What a subscriber receives is what it may read (``events.payloads``): a caller bound to a unit
gets only the events of that unit and the units under it, and an event's data loses the fields
that name people unless the caller holds ``personal-data``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import AsyncGenerator, Callable, Iterator
from contextlib import aclosing, contextmanager
from typing import Any, cast

import msgspec
import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON
from strawberry.types import Info

from contracts.api.metrics import IndicatorValueView
from contracts.metrics_events import IndicatorValueChanged
from contracts.reads import reads
from libs.common.errors import DomainError, InvalidInputError, NotFoundError
from libs.common.principal import Principal
from services.gateway.events.cursor import decode_cursor, is_cursor
from services.gateway.events.hub import (
    SLOW_SUBSCRIBER_CLOSE_CODE,
    SLOW_SUBSCRIBER_REASON,
    LiveEvent,
    SlowSubscriberError,
    Subscriber,
)
from services.gateway.events.payloads import visible_data, within_reach
from services.gateway.events.replay import BATCH_RECORDS, Resume
from services.gateway.graphql.context import GatewayContext, context_of
from services.gateway.graphql.errors import error_code
from services.gateway.graphql.live_frames import batch_plan_of, cursor_text, plan_of
from services.gateway.graphql.types_metrics import IndicatorValue

log = logging.getLogger(__name__)

Ctx = Info[Any, Any]

VALUE_CHANGED = IndicatorValueChanged.type_name()
READS = reads({IndicatorValueChanged: [info.name for info in msgspec.structs.fields(IndicatorValueView)]})
"""``indicatorChanged`` reads the event's data as an ``IndicatorValueView``."""


@strawberry.type(description="An event as the IOC receives it live.")
class Event:
    id: strawberry.ID
    type: str
    stream_id: str
    occurred_at: datetime.datetime
    recorded_at: datetime.datetime
    unit_code: str | None
    data: JSON
    cursor: strawberry.ID = strawberry.field(
        description="Where the feed stands after this event: pass it as `after` when reconnecting, to any gateway."
    )

    @classmethod
    def of(cls, event: LiveEvent, reader: Principal) -> Event:
        return cls(
            id=strawberry.ID(event.event_id),
            type=event.type,
            stream_id=event.stream_id,
            occurred_at=event.occurred_at,
            recorded_at=event.recorded_at,
            unit_code=event.unit_code,
            data=cast(JSON, visible_data(event, reader)),
            cursor=strawberry.ID(cursor_text(event)),
        )


@strawberry.type(description="Events delivered together: those at hand when the message was sent, oldest first.")
class EventBatch:
    events: list[Event]
    cursor: strawberry.ID = strawberry.field(
        description="The last event's cursor: pass it as `after` when reconnecting, to any gateway."
    )


BATCH_SIZES = range(1, BATCH_RECORDS + 1)
"""How many events one ``eventBatches`` message may carry."""


def _type_filter(types: list[str] | None) -> Callable[[str], bool]:
    """Exact names (``broadcast.cluster_signal_lost``) or a service's all (``broadcast.*``)."""
    if not types:
        return lambda _: True
    exact = {t for t in types if not t.endswith("*")}
    prefixes = tuple(t[:-1] for t in types if t.endswith("*"))
    return lambda event_type: event_type in exact or (bool(prefixes) and event_type.startswith(prefixes))


def _exact_types(types: list[str] | None) -> frozenset[str] | None:
    """The only types a filter passes, when it names them all exactly (None: it may pass any)."""
    if not types or any(t.endswith("*") for t in types):
        return None
    return frozenset(types)


def _unit_filter(context: GatewayContext, unit_code: str | None) -> Callable[[LiveEvent], bool]:
    if unit_code is None:
        return lambda _: True
    directory = context.gateway.directory
    unit_id = directory.unit_id_for_code(unit_code)
    if unit_id is None:
        raise NotFoundError(f"no unit with code {unit_code} is known", code="unknown_unit", details={"code": unit_code})
    return lambda event: directory.within(event.unit_id, unit_id)


def _event_filter(
    context: GatewayContext, types: list[str] | None, unit_code: str | None
) -> tuple[Callable[[LiveEvent], bool], frozenset[str] | None]:
    """What ``events`` and ``eventBatches`` pass for their ``types`` and ``unitCode``, and the
    only types it can pass (None: any)."""
    type_ok = _type_filter(types)
    unit_ok = _unit_filter(context, unit_code)
    return (lambda e: type_ok(e.type) and unit_ok(e)), _exact_types(types)


async def _batches(
    context: GatewayContext,
    reader: Principal,
    wanted: Callable[[LiveEvent], bool],
    after: str | None,
    types: frozenset[str] | None,
    *,
    size: int,
    live_size: int,
) -> AsyncGenerator[list[LiveEvent], None]:
    """The events the subscription asks for (``wanted``, which passes only ``types`` when they
    are given) among those ``reader`` may receive, in lists of those at hand (never empty):
    with ``after``, first those since it (replayed, at most ``size`` to a list), then live (at
    most ``live_size``: what a list takes off the subscriber's bounded queue is no longer
    counted against it)."""
    hub, replay = context.gateway.hub, context.gateway.replay
    allowed = within_reach(reader, context.gateway.directory)

    def matches(event: LiveEvent) -> bool:
        return allowed(event) and wanted(event)

    resume: Resume | None = None
    subscriber: Subscriber | None = None
    try:
        if after is None or replay is None:
            subscriber = hub.subscribe(matches, after, types=types)
        else:
            cursor = decode_cursor(after) if is_cursor(after) else hub.cursor_of(after)
            resume = replay.resume(cursor, matches, types)
            async for batch in resume.batches(size):
                yield batch
            subscriber = resume.subscriber
        assert subscriber is not None
        while True:
            try:
                first = await subscriber.next()
            except SlowSubscriberError:
                log.warning("subscriber of %s dropped: its queue was full", context.principal)
                if context.websocket is not None:
                    await context.websocket.close(code=SLOW_SUBSCRIBER_CLOSE_CODE, reason=SLOW_SUBSCRIBER_REASON)
                raise
            yield [first, *subscriber.ready(live_size - 1)]
    finally:
        # A subscriber joins the hub during a replay from memory: leave it even if closed then.
        for joined in (subscriber, resume.subscriber if resume is not None else None):
            if joined is not None:
                hub.unsubscribe(joined)


async def _stream(
    context: GatewayContext,
    reader: Principal,
    wanted: Callable[[LiveEvent], bool],
    after: str | None,
    types: frozenset[str] | None,
) -> AsyncGenerator[LiveEvent, None]:
    """:func:`_batches` one event at a time (replayed as read: thousands at once)."""
    async with aclosing(_batches(context, reader, wanted, after, types, size=BATCH_RECORDS, live_size=1)) as batches:
        async for batch in batches:
            for event in batch:
                yield event


@contextmanager
def graphql_errors() -> Iterator[None]:
    """A subscription's refusal as a GraphQL error with its code: the stream's errors do not
    pass through the operation-level mapping that queries and mutations get."""
    try:
        yield
    except DomainError as exc:
        raise GraphQLError(
            exc.message, extensions={"code": error_code(exc), **({"details": exc.details} if exc.details else {})}
        ) from None


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Events of some types (all without) about a unit and its descendants.")
    async def events(
        self,
        info: Ctx,
        types: list[str] | None = None,
        unit_code: str | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[Event, None]:
        context = context_of(info)
        with graphql_errors():
            reader = context.reader()
            wanted, types_passed = _event_filter(context, types, unit_code)
            plan = plan_of(info)
            async with aclosing(_stream(context, reader, wanted, after, types_passed)) as events:
                if plan is None:
                    async for event in events:
                        yield Event.of(event, reader)
                else:
                    # Each event's message is sent here: strawberry has no result to execute.
                    async for event in events:
                        await plan.send(event, reader)

    @strawberry.subscription(
        description=(
            "The events of `events`, several to a message: a replay after `after` sends up to `size` "
            "events in each, and the live feed sends those waiting together. For a client catching up "
            "on many events (a data pipeline, a console back from a long absence)."
        )
    )
    async def event_batches(
        self,
        info: Ctx,
        types: list[str] | None = None,
        unit_code: str | None = None,
        after: strawberry.ID | None = None,
        size: int = 500,
    ) -> AsyncGenerator[EventBatch, None]:
        context = context_of(info)
        with graphql_errors():
            if size not in BATCH_SIZES:
                raise InvalidInputError(
                    f"size must be between 1 and {BATCH_SIZES[-1]}",
                    code="invalid_batch_size",
                    details={"size": size, "max": BATCH_SIZES[-1]},
                )
            reader = context.reader()
            wanted, types_passed = _event_filter(context, types, unit_code)
            plan = batch_plan_of(info)
            async with aclosing(
                _batches(context, reader, wanted, after, types_passed, size=size, live_size=size)
            ) as batches:
                if plan is None:
                    async for batch in batches:
                        yield EventBatch(
                            events=[Event.of(event, reader) for event in batch],
                            cursor=strawberry.ID(cursor_text(batch[-1])),
                        )
                else:
                    # Each batch's message is sent here: strawberry has no result to execute.
                    async for batch in batches:
                        await plan.send(batch, reader)

    @strawberry.subscription(description="Indicator values as they change, for some indicators and a unit subtree.")
    async def indicator_changed(
        self,
        info: Ctx,
        codes: list[str] | None = None,
        unit_code: str | None = None,
        after: strawberry.ID | None = None,
    ) -> AsyncGenerator[IndicatorValue, None]:
        context = context_of(info)
        with graphql_errors():
            reader = context.reader()
            wanted = set(codes) if codes else None
            unit_ok = _unit_filter(context, unit_code)

            def matches(event: LiveEvent) -> bool:
                if event.type != VALUE_CHANGED:
                    return False
                return (wanted is None or event.data.get("indicator_code") in wanted) and unit_ok(event)

            async for event in _stream(context, reader, matches, after, frozenset({VALUE_CHANGED})):
                view = msgspec.convert(event.data, IndicatorValueView, strict=False)
                yield IndicatorValue.of(view, event.event_id, cursor_text(event))
