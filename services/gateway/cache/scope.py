"""What an answer shows and what an event touches, as sets of keys that can meet.

A key is an entity's id or code (a unit, a station, a cluster, an indicator…) as the services
and the events spell it. An answer's scope is every key its internal reads asked for or got
back; an event touches every key in its data, its stream, and the unit it is about with all
that unit's ancestors (by id and by code), so a list of a district's communes, asked by the
district's code, is touched by a commune registered under it (its ``parent_id``).

A read that names no key (every commune of the province, the indicator catalogue) has no
scope it could be dropped by precisely: it gets ``EVERYTHING``, which every event touches.
Parent references in answers are left out: a commune's ``parent_id`` names the district, and
with it every event anywhere in that district would drop the answer, though it shows no more
of the district than the reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from services.gateway.events.directory import UnitDirectory

EVERYTHING = "*"
"""The scope of an answer no key bounds: any event touches it."""

_KEY_SUFFIXES = ("_id", "_ids", "_code", "_codes")
_KEY_NAMES = frozenset({"id", "ids", "code", "codes"})
_UPWARD = frozenset({"parent_id", "parent_code"})
"""References up the hierarchy: a key of the request or event, not of what an answer shows."""
_decode = msgspec.json.Decoder()


def is_key_name(name: str) -> bool:
    return name in _KEY_NAMES or name.endswith(_KEY_SUFFIXES)


def _add(value: object, into: set[str]) -> None:
    if isinstance(value, str):
        into.add(value)
    elif isinstance(value, list | tuple):
        into.update(v for v in value if isinstance(v, str))


def keys_in(value: object, into: set[str], *, skip: frozenset[str] = frozenset()) -> None:
    """Adds the values of every key-named field in ``value`` (dicts, lists and Structs, nested)."""
    if isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            _field(name, getattr(value, name), into, skip)
    elif isinstance(value, dict):
        for name, item in value.items():
            if isinstance(name, str):
                _field(name, item, into, skip)
    elif isinstance(value, list | tuple):
        for item in value:
            if isinstance(item, msgspec.Struct | dict | list | tuple):
                keys_in(item, into, skip=skip)


def _field(name: str, value: object, into: set[str], skip: frozenset[str]) -> None:
    if is_key_name(name):
        if name not in skip:
            _add(value, into)
    elif isinstance(value, msgspec.Struct | dict | list | tuple):
        keys_in(value, into, skip=skip)


def read_keys(params: Mapping[str, str] | None, content: bytes | None, answer: object) -> set[str]:
    """The scope of one internal read: the keys it asked for and the keys of what came back;
    ``{EVERYTHING}`` when it asked for none."""
    asked: set[str] = set()
    for name, value in (params or {}).items():
        if is_key_name(name):
            asked.update(part for part in value.split(",") if part)
    if content:
        try:
            keys_in(_decode.decode(content), asked)
        except msgspec.DecodeError:
            return {EVERYTHING}
    if not asked:
        return {EVERYTHING}
    keys_in(answer, asked, skip=_UPWARD)
    return asked


def event_keys(stream_id: str, data: dict[str, Any], directory: UnitDirectory) -> set[str]:
    """Every key an event touches: its data's, its stream's, and those of the units it is about
    with their ancestors (the directory must already hold the event, for a unit it registers)."""
    keys = {stream_id}
    keys_in(data, keys)
    return with_lineage(keys, directory, directory.unit_of(data))


def write_keys(path: str, content: bytes | None, directory: UnitDirectory) -> set[str] | None:
    """The keys a command sent to ``path`` may touch: its body's and path's, with the units it
    names and their ancestors as they stand before its event (a unit it moves away is still
    under its old parent); None when its body names no key (then it may touch anything)."""
    keys: set[str] = set()
    if content:
        try:
            keys_in(_decode.decode(content), keys)
        except msgspec.DecodeError:
            return None
    if not keys:
        return None
    keys.update(segment for segment in path.split("/") if segment)
    return with_lineage(keys, directory, None)


def with_lineage(keys: set[str], directory: UnitDirectory, unit_id: str | None) -> set[str]:
    """``keys`` with every unit among them (by id, by code, or through an asset it holds) and
    ``unit_id``, and all their ancestors, by id and by code."""
    units = [unit_id, *(directory.unit_named(key) for key in keys)]
    for unit in dict.fromkeys(u for u in units if u is not None):
        for ancestor in directory.lineage(unit):
            keys.add(ancestor)
            code = directory.code_of(ancestor)
            if code is not None:
                keys.add(code)
    return keys
