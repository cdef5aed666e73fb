"""What the registry's routes declare about their callers: the scopes, and the dependencies
that refuse a caller without them (403 ``forbidden``) before a route runs; and the bulk
importer the composition root built once (``app.py``)."""

from __future__ import annotations

from litestar.di import NamedDependency

from libs.common.http.context import command_context, reader
from services.registry.application.bulk_import import BulkImporter

WRITE_SCOPE = "registry:write"

WRITER = command_context(WRITE_SCOPE)
"""The bulk import's ``ctx`` (the command tables name ``WRITE_SCOPE`` per row); what a command
then owns is decided in its transaction."""

READ_SCOPES = ("read", WRITE_SCOPE, "broadcast:write")
READER = reader(*READ_SCOPES)
"""Every query route's ``reader``. A writer reads back what it wrote without ``read`` (ADR
0020): the gateway answers a registry mutation, and a broadcast one about a station or a
cluster, with the registry's row."""

Importer = NamedDependency[BulkImporter]
