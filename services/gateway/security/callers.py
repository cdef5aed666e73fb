"""Who a caller is, for everything counted per caller: its rate-limit bucket, its execution
slots, the WebSockets and subscriptions it holds open, and the persisted queries it stored.

One key, prefixed by the kind of caller, so that two kinds never share one: a partner
(``partner:<name>``; all its API keys and JWTs are one caller), a caller with credentials but
no partner (``subject:<subject>``), and a caller without credentials (``host:<client host>``).
A token's subject that reads like a partner's name is therefore not that partner.
"""

from __future__ import annotations

from libs.common.principal import Principal


def caller_key(principal: Principal | None, client_host: str | None = None) -> str:
    """The caller's key; an anonymous caller is its client host (``host:unknown`` if none)."""
    if principal is None:
        return f"host:{client_host or 'unknown'}"
    if principal.partner:
        return f"partner:{principal.partner}"
    return f"subject:{principal.subject}"
