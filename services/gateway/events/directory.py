"""The unit hierarchy and where each asset sits, kept in memory from the registry's topic.

Live subscriptions filter by "this unit and everything under it" for every event they see, so
the answer must not cost a call: the gateway folds the registry's events into this directory
(read from the topic's beginning when the gateway starts, then live). It knows units by id
and by code, each unit's parent and level, and the unit of each station, cluster, base station
or team. The number of units it knows at each level sizes the GraphQL cost of level-wide lists.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from contracts.reads import reads
from contracts.registry_events import (
    BtsStationCommissioned,
    DigitalTeamEstablished,
    PostalPointOpened,
    RadioStationRegistered,
    SpeakerClusterRegistered,
    UnitRegistered,
    UnitReparented,
    VideoEndpointRegistered,
    WifiHotspotRegistered,
)

MAX_DEPTH = 16
"""Province → district → commune → village is 4; the bound only guards against a cycle."""

_ASSET_KEYS = ("station_id", "bts_id", "team_id", "point_id", "endpoint_id", "hotspot_id")

READS = reads(
    {
        UnitRegistered: ("unit_id", "parent_id", "code"),
        UnitReparented: ("unit_id", "parent_id"),
        SpeakerClusterRegistered: ("cluster_id", "station_id", "village_id"),
        # The registry events that place an asset in a unit (``unit_id`` and an asset key).
        RadioStationRegistered: ("unit_id", "station_id"),
        BtsStationCommissioned: ("unit_id", "bts_id"),
        DigitalTeamEstablished: ("unit_id", "team_id"),
        PostalPointOpened: ("unit_id", "point_id"),
        VideoEndpointRegistered: ("unit_id", "endpoint_id"),
        WifiHotspotRegistered: ("unit_id", "hotspot_id"),
    }
)
"""What ``apply`` folds in from the registry's topic."""
_BY_UNIT = ("unit_id", "village_id")
_BY_CODE = "unit_code"
_BY_ASSET = ("cluster_id", *_ASSET_KEYS)
LOCATES_BY = (*_BY_UNIT, _BY_CODE, *_BY_ASSET)
"""The fields ``unit_of`` places an event of any type by, where its data has them."""
_LOCATORS = frozenset(LOCATES_BY)
_RANK = {key: rank for rank, key in enumerate(LOCATES_BY)}


class UnitDirectory:
    def __init__(self) -> None:
        self._parent: dict[str, str | None] = {}
        self._code: dict[str, str] = {}
        self._by_code: dict[str, str] = {}
        self._asset_unit: dict[str, str] = {}
        self._per_level: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._parent)

    def apply(self, event_type: str, data: dict[str, Any]) -> None:
        """Fold one registry event in; events of other kinds are ignored."""
        unit_id = data.get("unit_id")
        if event_type == "registry.unit_registered" and isinstance(unit_id, str):
            level = data.get("level")
            if isinstance(level, str) and unit_id not in self._parent:
                self._per_level[level] += 1
            self._parent[unit_id] = data.get("parent_id")
            code = data.get("code")
            if isinstance(code, str):
                self._code[unit_id] = code
                # A code reused after a merge names the newest unit from then on.
                self._by_code[code] = unit_id
        elif event_type == "registry.unit_reparented" and isinstance(unit_id, str):
            self._parent[unit_id] = data.get("parent_id")
        elif event_type == "registry.speaker_cluster_registered":
            cluster_id, station_id = data.get("cluster_id"), data.get("station_id")
            where = data.get("village_id") or self._asset_unit.get(str(station_id))
            if isinstance(cluster_id, str) and isinstance(where, str):
                self._asset_unit[cluster_id] = where
        elif isinstance(unit_id, str):
            for key in _ASSET_KEYS:
                asset_id = data.get(key)
                if isinstance(asset_id, str):
                    self._asset_unit.setdefault(asset_id, unit_id)

    def units_at(self, level: str) -> int:
        """Units ever registered at ``level`` ("village"): merged or dissolved ones too, so the
        count bounds what a query of the level can return."""
        return self._per_level[level]

    def unit_id_for_code(self, code: str) -> str | None:
        return self._by_code.get(code)

    def code_of(self, unit_id: str | None) -> str | None:
        return self._code.get(unit_id) if unit_id else None

    def unit_of(self, data: dict[str, Any]) -> str | None:
        """The unit an event is about: named directly, by code, or through the asset it names
        (the first of ``LOCATES_BY`` that places it)."""
        # Called for every record the feed reads: only the fields the data has are tried, and
        # most events have one or two of the ten.
        present = _LOCATORS.intersection(data)
        for key in present if len(present) < 2 else sorted(present, key=_RANK.__getitem__):
            value = data[key]
            if not isinstance(value, str):
                continue
            if key in _BY_UNIT:
                if value in self._parent:
                    return value
            else:
                found = (self._by_code if key == _BY_CODE else self._asset_unit).get(value)
                if found is not None:
                    return found
        value = data.get("unit_id")
        return value if isinstance(value, str) else None

    def within(self, unit_id: str | None, ancestor_id: str) -> bool:
        """Is ``unit_id`` the ancestor itself or somewhere under it?"""
        current = unit_id
        for _ in range(MAX_DEPTH):
            if current is None:
                return False
            if current == ancestor_id:
                return True
            current = self._parent.get(current)
        return False

    def unit_named(self, key: str) -> str | None:
        """The unit ``key`` is the id or code of, or that holds the asset ``key`` is the id of."""
        if key in self._parent:
            return key
        return self._by_code.get(key) or self._asset_unit.get(key)

    def lineage(self, unit_id: str) -> list[str]:
        """The unit and its ancestors, nearest first."""
        found: list[str] = []
        current: str | None = unit_id
        for _ in range(MAX_DEPTH):
            if current is None:
                break
            found.append(current)
            current = self._parent.get(current)
        return found
