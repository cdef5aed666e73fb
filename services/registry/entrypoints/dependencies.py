"""What the registry's routes declare about their callers: the dependencies that refuse a
caller without the scope (403 ``forbidden``) before a route runs, and the handlers the
composition root built once (``app.py``)."""

from __future__ import annotations

from litestar.di import NamedDependency

from libs.common.http.context import command_context, reader
from services.registry.application.bulk_import import BulkImporter
from services.registry.application.handlers import RegistryHandlers

WRITE_SCOPE = "registry:write"

WRITER = command_context(WRITE_SCOPE)
"""Every command route's ``ctx``; what the command then owns is decided in its transaction."""

READ_SCOPES = ("read", WRITE_SCOPE, "broadcast:write")
READER = reader(*READ_SCOPES)
"""Every query route's ``reader``. A writer reads back what it wrote without ``read`` (ADR
0020): the gateway answers a registry mutation, and a broadcast one about a station or a
cluster, with the registry's row."""

Handlers = NamedDependency[RegistryHandlers]
Importer = NamedDependency[BulkImporter]
