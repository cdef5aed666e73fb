"""What one kind of bulk-import item is: its body type, its handler, the codes it touches.

A handler runs one item through the registry's own command handlers, with the item's command
context (the importer's caller and metadata, the item's idempotency key), and says what came of
it (:class:`Outcome`).
``keys`` names the official codes the item reads and writes, so the importer can run
independent items side by side without changing the result of running them in order; a kind
without ``keys`` runs alone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import msgspec

from libs.common.eventstore.commands import CommandExecutor, CommandResult
from libs.common.eventstore.context import CommandContext
from libs.common.eventstore.idempotency import IdempotencyKey
from services.registry.application.handlers import RegistryHandlers
from services.registry.application.import_report import ItemStatus

B = TypeVar("B")


@dataclass(frozen=True, slots=True)
class Keys:
    reads: frozenset[str] = frozenset()
    writes: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *, reads: Iterable[str | None] = (), writes: Iterable[str | None] = ()) -> Keys:
        return cls(
            reads=frozenset(c.strip() for c in reads if c is not None),
            writes=frozenset(c.strip() for c in writes if c is not None),
        )

    def conflicts_with(self, earlier: Keys) -> bool:
        """Must this item wait for ``earlier`` (read-after-write, write-after-read or -write)?"""
        return bool(self.reads & earlier.writes or self.writes & (earlier.reads | earlier.writes))


class ItemContext(CommandContext, frozen=True, kw_only=True):
    """The command context of one imported item: its idempotency key is the item's own
    (``import:<kind>:<key or content hash>``, over the item as written), whatever the handler's
    input, so importing a file again finds every item's record."""

    item_key: IdempotencyKey

    def idempotency(self, request: object) -> IdempotencyKey | None:
        return self.item_key


@dataclass(frozen=True, slots=True)
class ImportContext:
    handlers: RegistryHandlers
    command: ItemContext
    keyed: bool
    """The item carried its own ``key`` (else the key is a hash of its content)."""

    @property
    def executor(self) -> CommandExecutor:
        return self.handlers.executor

    @property
    def idempotency(self) -> IdempotencyKey:
        return self.command.item_key


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    unit_id: str | None = None
    code: str | None = None
    result: CommandResult | None = None
    already_done: bool = False
    """Found done by another path (e.g. an identical unit registered without this key)."""

    @property
    def status(self) -> ItemStatus:
        if self.already_done or self.result is None or self.result.replayed or not self.result.event_ids:
            return "unchanged"
        return "created"


@dataclass(frozen=True, slots=True)
class ImportKind(Generic[B]):
    body: type[B]
    handle: Callable[[ImportContext, B], Awaitable[Outcome]]
    keys: Callable[[B], Keys] | None = None
