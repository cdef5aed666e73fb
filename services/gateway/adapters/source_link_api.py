"""The broadcast service's routes of the link to the source-information system (ADR 0054),
one function per route; bodies and answers are ``contracts.api.source_link``'s."""

from __future__ import annotations

from contracts.api.source_link import ReceiveBulletinBody, SourceResultPage
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters.internal import ServiceCaller

B = "broadcast"


async def receive_bulletin(caller: ServiceCaller, body: ReceiveBulletinBody, key: str | None) -> CommandResult:
    return await caller.post(B, "/commands/source-bulletins/receive", body, CommandResult, idempotency_key=key)


async def results(caller: ServiceCaller, since: int, first: int) -> SourceResultPage:
    return await caller.get(B, "/source-results", {"since": str(since), "first": str(first)}, SourceResultPage)
