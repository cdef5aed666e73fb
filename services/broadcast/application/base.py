"""What every broadcast command handler shares: who calls, new ids, one transaction per command.

Inputs are msgspec Structs that the HTTP entrypoint takes as bodies (unknown fields refused);
they name units by official code and stations and clusters by the registry's ids.
"""

from __future__ import annotations

import datetime

import msgspec
import uuid_utils.compat

from contracts.envelope import Metadata
from libs.common.eventstore.commands import CommandExecutor, CommandResult, Work
from libs.common.eventstore.idempotency import IdempotencyKey
from libs.common.principal import Principal


class Caller(msgspec.Struct, frozen=True, kw_only=True):
    """The command's context: the principal (for unit checks), the envelope's metadata and the
    idempotency key, all taken from the request by the entrypoint."""

    principal: Principal | None = None
    metadata: Metadata | None = None
    idempotency: IdempotencyKey | None = None


SYSTEM = Caller()
"""Commands the service issues itself (the incident detector, seeding)."""


class Accepted(msgspec.Struct, frozen=True, kw_only=True):
    """A command's answer: the ids it created or touched and what it appended."""

    ids: list[str]
    result: CommandResult


def new_id() -> str:
    return str(uuid_utils.compat.uuid7())


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class Commands:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def _run(self, work: Work, caller: Caller) -> CommandResult:
        return await self.executor.run(work, metadata=caller.metadata, idempotency=caller.idempotency)
