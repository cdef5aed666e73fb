"""Internal REST API of the link to the source-information system (ADR 0054): a bulletin
received, and its results read back by its sender, page by page after a ``since`` cursor.

Both need ``source:link`` (an admin passes every scope); a sender reads only the results of its
own bulletins, an admin every sender's.
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery

from contracts.api.source_link import ReceiveBulletinBody, SourceResultPage
from libs.common.http.context import Reader, reader
from libs.common.http.routes import CommandRoute, CommandTable
from services.broadcast.application.handlers import BroadcastHandlers
from services.broadcast.application.source_bulletins import SourceResultQueries
from services.broadcast.entrypoints.scopes import SOURCE_LINK

Queries = NamedDependency[SourceResultQueries]

SOURCE_COMMANDS = CommandTable[BroadcastHandlers](
    "/commands",
    "broadcast: source link",
    [
        CommandRoute(
            "POST",
            "/source-bulletins/receive",
            "receiveSourceBulletin",
            ReceiveBulletinBody,
            SOURCE_LINK,
            lambda h: h.source_bulletins.receive,
            description="A bulletin from the source-information system becomes a programme, once per bulletin id.",
        )
    ],
)


class SourceResultsController(Controller):
    tags = ["broadcast: source link"]  # noqa: RUF012 - Litestar declares it as an instance attribute
    dependencies = {"reader": reader(SOURCE_LINK)}  # noqa: RUF012

    @get("/source-results", operation_id="sourceResults")
    async def results(
        self, *, reader: Reader, source_queries: Queries, since: FromQuery[int] = 0, first: FromQuery[int] = 100
    ) -> SourceResultPage:
        """Each step of the caller's bulletins at each station after ``since``, oldest first."""
        return await source_queries.results(reader, since, first)
