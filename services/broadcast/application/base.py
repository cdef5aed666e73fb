"""What every broadcast command handler shares: who calls, new ids, one transaction per command.

Inputs are msgspec Structs that the HTTP entrypoint takes as bodies (unknown fields refused);
they name units by official code and stations and clusters by the registry's ids.
"""

from __future__ import annotations

import datetime
import uuid

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


_IDS = uuid.UUID("6f1d2c3e-7b0a-4c59-9b7e-2f4d8a1c0e55")


def new_ids(caller: Caller, count: int = 1) -> list[str]:
    """Ids for what a command creates. With an idempotency key they derive from it, so a
    replayed request answers the very ids the first one created; otherwise UUIDv7s."""
    key = caller.idempotency
    if key is None:
        return [str(uuid_utils.compat.uuid7()) for _ in range(count)]
    return [str(uuid.uuid5(_IDS, f"{key.principal}|{key.key}|{key.request_hash}|{n}")) for n in range(count)]


def new_id(caller: Caller) -> str:
    return new_ids(caller)[0]


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class Commands:
    def __init__(self, executor: CommandExecutor) -> None:
        self.executor = executor

    async def _run(self, work: Work, caller: Caller) -> CommandResult:
        return await self.executor.run(work, metadata=caller.metadata, idempotency=caller.idempotency)
