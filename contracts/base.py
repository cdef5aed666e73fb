"""What every event type is: a frozen msgspec Struct tagged with its dotted wire name.

``class UnitRenamed(Event, tag="registry.unit_renamed")`` gives the wire name; the schema
version is a class attribute so that old and new shapes of one type can coexist in the log
(an upcaster lifts old data when it is read, see ``contracts.upcasting``).
"""

from __future__ import annotations

from typing import ClassVar

import msgspec


class Event(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", forbid_unknown_fields=False, gc=False):
    """Base of every domain event. Subclasses must pass ``tag="service.what_happened"``.

    ``gc=False``: projections hold thousands of decoded events per batch, and a frozen event
    built from data cannot be part of a reference cycle, so the cyclic collector skips them."""

    SCHEMA_VERSION: ClassVar[int] = 1
    PERSONAL_DATA: ClassVar[frozenset[str]] = frozenset()
    """The top-level fields of the event's data that name people (a team's members): what a
    consumer outside the platform sees only with the ``personal-data`` scope (ADR 0020)."""

    @classmethod
    def type_name(cls) -> str:
        tag = cls.__struct_config__.tag
        if not isinstance(tag, str):
            raise TypeError(f"{cls.__name__} has no wire name: declare it with tag='service.what_happened'")
        return tag
