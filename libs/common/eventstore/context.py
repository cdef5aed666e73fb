"""Who runs a command, and how: the one context every command handler of every service takes.

A route builds it from the request (``libs.common.http.context``); the service builds
:data:`SYSTEM` for what it does on its own (seeding, the incident detector). The executor
reads the envelope's metadata and the idempotency key from it, and a handler asks it for
the caller's scopes, organisation and unit when the command checks ownership.

Ids: what a command creates gets UUIDv7s (:meth:`CommandContext.new_ids`), named in the
command's result; the result is what the idempotency record remembers, so a replayed request
answers the ids the first one created.
"""

from __future__ import annotations

import msgspec
import uuid_utils.compat

from contracts.envelope import Metadata
from libs.common.eventstore.idempotency import IdempotencyKey
from libs.common.principal import Principal

__all__ = ["SYSTEM", "CommandContext"]

MAX_IDEMPOTENCY_KEY = 200


class CommandContext(msgspec.Struct, frozen=True, kw_only=True):
    principal: Principal | None = None
    """``None``: the service itself, which every ownership rule allows."""
    metadata: Metadata | None = None
    idempotency_key: str | None = None
    """The client's ``Idempotency-Key`` header, at most 200 characters (the route checks)."""
    request_path: str = ""
    """Part of what the key names: one key and body sent to two different paths are two requests."""

    def idempotency(self, request: object) -> IdempotencyKey | None:
        """The key that makes a retry of ``request`` (the command's typed input) do nothing twice."""
        if self.idempotency_key is None:
            return None
        meta = self.metadata
        owner = (meta.partner or meta.actor if meta is not None else None) or "anonymous"
        return IdempotencyKey.for_request(owner, self.idempotency_key, {"path": self.request_path, "body": request})

    @staticmethod
    def new_ids(count: int = 1) -> list[str]:
        return [str(uuid_utils.compat.uuid7()) for _ in range(count)]

    @property
    def unrestricted(self) -> bool:
        """The service itself, an admin, or a caller bound to neither an organisation nor a unit."""
        p = self.principal
        return p is None or p.is_admin or (p.organisation is None and p.unit_code is None)

    @property
    def unit_code(self) -> str | None:
        """The unit a district centre's caller is confined to; ``None`` when not confined."""
        p = self.principal
        return None if p is None or p.is_admin else p.unit_code

    @property
    def organisation(self) -> str | None:
        """The operator an organisation's caller acts for; ``None`` when it acts for none."""
        p = self.principal
        return None if p is None or p.is_admin else p.organisation


SYSTEM = CommandContext()
"""Commands the service issues itself: seeding, the incident detector."""
