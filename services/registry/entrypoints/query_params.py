"""What the registry's query routes share: the runtime, comma-separated id lists and their
bounds (one request asks for at most 1,000), the page size's bound."""

from __future__ import annotations

from litestar.di import NamedDependency

from libs.common.errors import InvalidInputError
from libs.common.runtime import ServiceRuntime

MAX_PAGE = 500
MAX_BATCH = 1000

Runtime = NamedDependency[ServiceRuntime]


def id_list(raw: str, what: str = "id", *, keep_duplicates: bool = False) -> list[str]:
    """The items of a comma-separated list, in order (duplicates dropped unless kept)."""
    items = [part.strip() for part in raw.split(",") if part.strip()]
    if not keep_duplicates:
        items = list(dict.fromkeys(items))
    if not items:
        raise InvalidInputError(f"give at least one {what}", code="invalid_query")
    if len(items) > MAX_BATCH:
        raise InvalidInputError(f"at most {MAX_BATCH} {what}s per request", code="invalid_query")
    return items
