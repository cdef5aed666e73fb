"""Maps wire names to event classes for one topic, and decodes stored data into events."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from contracts.base import Event
from contracts.upcasting import UnknownSchemaVersionError, Upcasters

_decoder = msgspec.json.Decoder(dict[str, Any])


class UnknownEventTypeError(ValueError):
    pass


class EventCatalogue:
    """The event types of one service's topic, with their upcasters."""

    def __init__(self, service: str, types: Iterable[type[Event]], upcasters: Upcasters | None = None) -> None:
        self.service = service
        self.types: dict[str, type[Event]] = {}
        for cls in types:
            name = cls.type_name()
            if not name.startswith(service + "."):
                raise ValueError(f"{name} does not belong to the {service} topic")
            if name in self.types:
                raise ValueError(f"{name} is declared twice")
            self.types[name] = cls
        self.upcasters = upcasters or Upcasters()
        self._direct = {name: msgspec.json.Decoder(cls) for name, cls in self.types.items()}
        self._current = {name: cls.SCHEMA_VERSION for name, cls in self.types.items()}

    def __contains__(self, type_name: str) -> bool:
        return type_name in self.types

    def current_decoder(self, type_name: str) -> tuple[int, Callable[[bytes], Event]] | None:
        """The current schema version of ``type_name`` and a decoder for data of exactly that
        version (no upcasting), for consumers that dispatch on the envelope themselves."""
        direct = self._direct.get(type_name)
        return None if direct is None else (self._current[type_name], direct.decode)

    def decode(self, type_name: str, schema_version: int, data: bytes) -> Event:
        direct = self._direct.get(type_name)
        if direct is not None and schema_version == self._current[type_name]:
            return direct.decode(data)  # the common case, kept short: it runs once per event
        cls = self.types.get(type_name)
        if cls is None:
            raise UnknownEventTypeError(f"{type_name} is not an event of the {self.service} topic")
        if schema_version > cls.SCHEMA_VERSION:
            raise UnknownSchemaVersionError(f"{type_name} v{schema_version} is newer than this code")
        lifted = self.upcasters.upcast(type_name, schema_version, cls.SCHEMA_VERSION, _decoder.decode(data))
        lifted["type"] = type_name
        return msgspec.convert(lifted, cls)
