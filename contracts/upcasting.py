"""Upcasters lift an event's stored data from an old schema version to the next one.

Registered per (type, from_version); reading applies them in a chain until the current
version. Data is a plain dict at this stage, so an upcaster never needs the old class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Data = dict[str, Any]
Upcaster = Callable[[Data], Data]


class UnknownSchemaVersionError(ValueError):
    """The log holds a version this code cannot read (newer, or no upcaster chain)."""


class Upcasters:
    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, type_name: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        def decorate(fn: Upcaster) -> Upcaster:
            key = (type_name, from_version)
            if key in self._steps:
                raise ValueError(f"two upcasters for {type_name} v{from_version}")
            self._steps[key] = fn
            return fn

        return decorate

    def lifts(self, type_name: str, version: int, current: int) -> bool:
        """Whether data of ``version`` can be lifted to ``current`` (an upcaster for every step)."""
        return all((type_name, step) in self._steps for step in range(version, current))

    def upcast(self, type_name: str, version: int, current: int, data: Data) -> Data:
        if version > current:
            raise UnknownSchemaVersionError(f"{type_name} v{version} is newer than this code (v{current})")
        while version < current:
            step = self._steps.get((type_name, version))
            if step is None:
                raise UnknownSchemaVersionError(f"no upcaster for {type_name} v{version} -> v{version + 1}")
            data = step(data)
            version += 1
        return data
