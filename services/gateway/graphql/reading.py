"""Who may read: the one rule every resolver that returns data goes through.

A query's root fields ask it before they call a service; everything nested under a result
(a unit's parent, a station's clusters, a cluster's signal) is loaded through ``Loaders``,
which asks it before each batched call, so a field added later is covered without a check of
its own. A mutation's own result is the exception: it is read back as the writer (the row it
wrote, with its ids and status), and only what reaches past that row needs ``read``. See
docs/adr/0020-read-authorization.md.
"""

from __future__ import annotations

from collections.abc import Callable

from libs.common.errors import DomainError, ForbiddenError, UnauthorizedError
from libs.common.principal import Principal

READ = "read"
PERSONAL_DATA = "personal-data"
"""Names and roles of people (a digital team's members): on top of ``read``, never implied by it."""


def unauthenticated() -> UnauthorizedError:
    return UnauthorizedError(
        "this needs credentials: send 'Authorization: Bearer <API key or JWT>'", code="unauthenticated"
    )


def missing_scope(scope: str) -> ForbiddenError:
    return ForbiddenError(f"this needs the scope {scope!r}", code="forbidden", details={"scope": scope})


def read_refusal(principal: Principal | None) -> Callable[[], DomainError] | None:
    """None when ``principal`` may read; else what makes the error each refused read raises
    (a fresh one each time: one instance raised from many fields would pile up tracebacks)."""
    if principal is None:
        return unauthenticated
    if not principal.allows(READ):
        return lambda: missing_scope(READ)
    return None
