# mypy: disallow-untyped-decorators=False
"""The link to the source-information system in GraphQL (ADR 0054), beside its ``/api/v1``
routes: a bulletin in (``receiveSourceBulletin``) and its aired results out
(``sourceBulletinResults``), page by page.

The broadcast service decides the scope (``source:link``) and whose results a caller reads; a
sender holds no ``read``, so neither field asks for it here, and the receipt names the
programme instead of reading it back.
"""

from __future__ import annotations

import datetime
import enum
from typing import Any

import strawberry
from strawberry.types import Info

from contracts.api.source_link import MAX_RESULTS_PAGE, ReceiveBulletinBody, SourceResult, SourceResultPage
from libs.common.errors import InvalidInputError
from services.gateway.adapters import source_link_api
from services.gateway.graphql.context import context_of
from services.gateway.graphql.ids import global_id
from services.gateway.graphql.inputs import KEY_HELP
from services.gateway.graphql.types_programme_approval import BulletinPriority

Ctx = Info[Any, Any]


@strawberry.input(
    description="A bulletin of the provincial or central source-information system (docs/source-link.md)."
)
class ReceiveSourceBulletinInput:
    bulletin_id: str = strawberry.field(description="The sender's own id: letters, digits and . _ : / -, up to 100.")
    unit_code: str = strawberry.field(description="The district (its centre) or the province that distributes it.")
    title: str
    air_date: datetime.date
    duration_seconds: int
    news_items: int
    articles: int
    priority: BulletinPriority = BulletinPriority.NORMAL
    segments: list[str] | None = None
    issued_at: datetime.datetime | None = strawberry.field(default=None, description="When the sender issued it.")
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.type(description="A bulletin received: the programme it became, waiting for the producer's approver.")
class SourceBulletinReceipt:
    bulletin_id: str
    programme_id: strawberry.ID
    recorded: bool = strawberry.field(
        description="False when the same bulletin (same id, same content) had been received before: nothing new."
    )


@strawberry.enum(description="A step of a bulletin at a station, as reported back to its sender.")
class SourceResultStatus(enum.Enum):
    DELIVERED = "delivered"
    RECEIVED = "received"
    AIRED = "aired"
    FAILED = "failed"


@strawberry.type(description="One step of one bulletin at one commune station (contracts/source_result.schema.json).")
class SourceBulletinResult:
    delivery_id: str = strawberry.field(description="Unique per result: a receiver drops one it has seen.")
    sequence: int = strawberry.field(description="Its place in the feed: `since` for the next page.")
    sender: str
    bulletin_id: str
    programme_id: str
    station_id: str
    unit_code: str = strawberry.field(description="The station's commune (official code).")
    status: SourceResultStatus
    at: datetime.datetime
    reason: str | None = strawberry.field(description="Why it failed; null for other steps.")

    @classmethod
    def of(cls, result: SourceResult) -> SourceBulletinResult:
        return cls(
            delivery_id=result.delivery_id,
            sequence=result.sequence,
            sender=result.sender,
            bulletin_id=result.bulletin_id,
            programme_id=result.programme_id,
            station_id=result.station_id,
            unit_code=result.unit_code,
            status=SourceResultStatus(result.status),
            at=result.at,
            reason=result.reason,
        )


@strawberry.type(description="The results after `since`, oldest first; pass `nextSince` back to read on.")
class SourceBulletinResultPage:
    results: list[SourceBulletinResult]
    next_since: int
    has_more: bool

    @classmethod
    def of(cls, page: SourceResultPage) -> SourceBulletinResultPage:
        results = [SourceBulletinResult.of(r) for r in page.results]
        return cls(results=results, next_since=page.next_since, has_more=page.has_more)


@strawberry.type
class SourceLinkMutation:
    @strawberry.mutation(
        description="Receive a bulletin from the source-information system as a programme (broadcast; "
        "scope source:link). The same id and content again records nothing; another content is "
        "BULLETIN_ID_REUSED."
    )
    async def receive_source_bulletin(self, info: Ctx, input: ReceiveSourceBulletinInput) -> SourceBulletinReceipt:
        caller = context_of(info).writer()
        body = ReceiveBulletinBody(
            bulletin_id=input.bulletin_id,
            unit_code=input.unit_code,
            title=input.title,
            air_date=input.air_date,
            duration_seconds=input.duration_seconds,
            news_items=input.news_items,
            articles=input.articles,
            priority=input.priority.value,
            segments=input.segments or [],
            issued_at=input.issued_at,
        )
        result = await source_link_api.receive_bulletin(caller, body, input.idempotency_key)
        return SourceBulletinReceipt(
            bulletin_id=input.bulletin_id,
            programme_id=global_id("Programme", result.ids[0]),
            recorded=bool(result.event_ids),
        )


@strawberry.type
class SourceLinkQuery:
    @strawberry.field(
        description="The aired results of the caller's bulletins after `since` (scope source:link; admin: all)."
    )
    async def source_bulletin_results(
        self, info: Ctx, since: int | None = 0, first: int | None = 100
    ) -> SourceBulletinResultPage:
        # Nullable, as every paging argument of the schema is: null stands for the default.
        since = 0 if since is None else since
        first = 100 if first is None else first
        if since < 0 or not 1 <= first <= MAX_RESULTS_PAGE:
            raise InvalidInputError(
                f"since must be 0 or more and first between 1 and {MAX_RESULTS_PAGE}", code="invalid_page"
            )
        caller = context_of(info).writer()
        return SourceBulletinResultPage.of(await source_link_api.results(caller, since, first))
