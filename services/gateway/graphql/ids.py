"""Global ids: ``<Type>:<service id>``, so ``node(id)`` knows which service to ask.

Inputs that name an entity (``stationId``, ``clusterId``) take the global id or, for partners
who keep the services' own ids, the bare id.
"""

from __future__ import annotations

import strawberry

from libs.common.errors import InvalidInputError


def global_id(type_name: str, raw: str) -> strawberry.ID:
    return strawberry.ID(f"{type_name}:{raw}")


def split_id(value: str) -> tuple[str | None, str]:
    type_name, sep, raw = value.partition(":")
    if not sep:
        return None, value
    return type_name, raw


def raw_id(value: str, type_name: str, field: str) -> str:
    kind, raw = split_id(value.strip())
    if kind is not None and kind != type_name:
        raise InvalidInputError(f"{field} must be a {type_name} id, not a {kind} id", code="validation")
    if not raw or len(raw) > 100:
        raise InvalidInputError(f"{field} is not an id", code="validation")
    return raw
