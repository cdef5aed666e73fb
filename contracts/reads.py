"""What a consumer reads of the events it consumes: event type → the fields of its data.

Each consumer (a projection, the gateway's live feed, metrics' facts) declares its reads once,
next to its code, with ``reads({UnitRenamed: ("unit_id", "name"), ...})``. A unit test walks
every declaration and checks it against the topics' catalogues, and ``contracts.compat``
refuses a change to a released event schema that would break a reader. The declaration names
the event class, so a misspelt or removed type fails at import; the fields are names, checked
by the test against the class's Struct fields (its wire names).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import msgspec

from contracts.base import Event
from contracts.catalogue import EventCatalogue


class Reads(Mapping[str, frozenset[str]]):
    """Wire name of each event type read → the names of the fields read from its data."""

    def __init__(self, declared: Mapping[str, frozenset[str]]) -> None:
        self._declared = dict(declared)

    def __getitem__(self, type_name: str) -> frozenset[str]:
        return self._declared[type_name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._declared)

    def __len__(self) -> int:
        return len(self._declared)

    def __repr__(self) -> str:
        return f"Reads({self._declared!r})"

    def types(self) -> frozenset[str]:
        """The wire names of the event types read."""
        return frozenset(self._declared)

    def __or__(self, other: Mapping[str, frozenset[str]]) -> Reads:
        """Both declarations: for a type in both, the fields either reads."""
        merged = dict(self._declared)
        for name, fields in other.items():
            merged[name] = merged.get(name, frozenset()) | fields
        return Reads(merged)


def reads(declared: Mapping[type[Event], Iterable[str]]) -> Reads:
    """A consumer's reads, keyed by event class (stored by wire name)."""
    out: dict[str, frozenset[str]] = {}
    for cls, fields in declared.items():
        if isinstance(fields, str):
            raise TypeError(f"{cls.__name__}: give the fields read as a tuple of names, not one string")
        out[cls.type_name()] = frozenset(fields)
    return Reads(out)


def problems(declared: Mapping[str, frozenset[str]], catalogues: Iterable[EventCatalogue]) -> list[str]:
    """What in ``declared`` the catalogues do not have: an unknown type, or a field that is
    not one of its type's Struct fields (by attribute name, which is also the wire name:
    event types do not rename fields). Empty when every read is published."""
    types = {name: cls for catalogue in catalogues for name, cls in catalogue.types.items()}
    found: list[str] = []
    for type_name, fields in sorted(declared.items()):
        cls = types.get(type_name)
        if cls is None:
            found.append(f"{type_name}: no such event type in the consumed topics")
            continue
        published = {info.name for info in msgspec.structs.fields(cls)}
        found.extend(f"{type_name}.{field}: no such field" for field in sorted(fields - published))
    return found
