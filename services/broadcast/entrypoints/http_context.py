"""What every broadcast route takes from its request: the caller (scope checked), the envelope's
metadata and the idempotency key; and the command handlers, built per request on the pool."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from contracts.broadcast_events import CATALOGUE
from libs.common.errors import ForbiddenError
from libs.common.eventstore.commands import CommandExecutor
from libs.common.http.auth import request_principal, require_province_wide, require_scope
from libs.common.http.commands import command_metadata, idempotency_key
from libs.common.principal import Principal
from libs.common.runtime import ServiceRuntime
from services.broadcast.application.alerts import AlertCommands
from services.broadcast.application.base import Caller
from services.broadcast.application.outreach import OutreachCommands
from services.broadcast.application.programmes import ProgrammeCommands
from services.broadcast.application.relays import RelayCommands
from services.broadcast.application.signal import SignalCommands

Req = Request[Any, Any, Any]

WRITE = "broadcast:write"
ISSUE_ALERTS = "alerts:issue"
READ_SCOPES = ("read", WRITE, ISSUE_ALERTS)


def caller(request: Req, scope: str, *request_parts: object) -> Caller:
    """The caller of a command route, refused (403) without ``scope``."""
    principal = require_scope(request, scope)
    metadata = command_metadata(request)
    return Caller(
        principal=principal, metadata=metadata, idempotency=idempotency_key(request, metadata, list(request_parts))
    )


def province_caller(request: Req, scope: str, *request_parts: object) -> Caller:
    """The caller of a command that changes the whole province (the signal configuration):
    ``scope`` and no unit, refused (403 ``province_wide_command``) to a district centre."""
    principal = require_province_wide(request, scope)
    metadata = command_metadata(request)
    return Caller(
        principal=principal, metadata=metadata, idempotency=idempotency_key(request, metadata, list(request_parts))
    )


def reader(request: Req) -> Principal:
    """Queries are open to every principal that may read or write broadcast data."""
    principal = request_principal(request)
    if not any(principal.allows(s) for s in READ_SCOPES):
        raise ForbiddenError("this needs the scope 'read'", code="forbidden", details={"scope": "read"})
    return principal


@dataclass(frozen=True, slots=True)
class BroadcastCommands:
    programmes: ProgrammeCommands
    relays: RelayCommands
    signal: SignalCommands
    outreach: OutreachCommands
    alerts: AlertCommands


def broadcast_commands(runtime: ServiceRuntime) -> BroadcastCommands:
    executor = CommandExecutor(runtime.pool, "broadcast", CATALOGUE)
    return BroadcastCommands(
        programmes=ProgrammeCommands(executor),
        relays=RelayCommands(executor),
        signal=SignalCommands(executor),
        outreach=OutreachCommands(executor),
        alerts=AlertCommands(executor),
    )


async def provide_commands(runtime: NamedDependency[ServiceRuntime]) -> BroadcastCommands:
    return broadcast_commands(runtime)
