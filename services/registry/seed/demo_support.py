"""Deterministic building blocks of the demo dataset (``demo_assets``): the seeded units, orders
from SHA-256 hashes, totals spread over weights, points inside a district's box, dates spread
over a period, and item keys. No randomness, no clock: every run and machine gets the same items.
"""

from __future__ import annotations

import datetime
import hashlib
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from services.registry.seed.reference import DistrictGeo, ReferenceUnit, district_geo, reference_units
from services.registry.seed.villages import Village, villages

Item = dict[str, Any]
KEY_PREFIX = "demo-2022"
URBAN_TYPES = frozenset({"Phường", "Thị trấn"})


@dataclass(frozen=True)
class DemoUnits:
    """The units ``tinhso seed`` registers (valid from 2020-02-01), as the demo needs them."""

    province: ReferenceUnit
    districts: list[ReferenceUnit]
    communes: list[ReferenceUnit]
    villages_of: dict[str, list[Village]]
    """Each commune's synthetic villages, by commune code, in village order."""
    geo: dict[str, DistrictGeo]

    def communes_of(self, district_code: str) -> list[ReferenceUnit]:
        return [c for c in self.communes if c.parent_code == district_code]

    def district_of(self, commune: ReferenceUnit) -> str:
        assert commune.parent_code is not None
        return commune.parent_code

    def village_weights(self, communes: Iterable[ReferenceUnit] | None = None) -> dict[str, float]:
        return {c.code: float(len(self.villages_of[c.code])) for c in (communes or self.communes)}

    def all_villages(self) -> list[Village]:
        return [v for c in self.communes for v in self.villages_of[c.code]]

    @staticmethod
    def urban(commune: ReferenceUnit) -> bool:
        return commune.unit_type in URBAN_TYPES


def demo_units() -> DemoUnits:
    units = reference_units()
    communes = [u for u in units if u.level == "commune"]
    by_commune: dict[str, list[Village]] = {c.code: [] for c in communes}
    for village in villages(communes):
        by_commune[village.parent_code].append(village)
    [province] = [u for u in units if u.level == "province"]
    return DemoUnits(
        province=province,
        districts=[u for u in units if u.level == "district"],
        communes=communes,
        villages_of=by_commune,
        geo={g.district_code: g for g in district_geo()},
    )


def _digest(salt: str, value: str) -> bytes:
    return hashlib.sha256(f"tinhso-demo:{salt}:{value}".encode()).digest()


def ranked(values: Iterable[str], salt: str) -> list[str]:
    """``values`` in a fixed pseudo-random order (a hash of each with ``salt``)."""
    return sorted(values, key=lambda v: (_digest(salt, v), v))


def spread(total: int, weights: Mapping[str, float], minimum: int = 0) -> dict[str, int]:
    """``total`` shared out: ``minimum`` each, the rest in proportion to the weights (largest
    remainders first, ties by key), so the shares add up to ``total`` exactly."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"{total} cannot give {len(weights)} keys {minimum} each")
    whole = sum(weights.values())
    shares = {k: w / whole * spare for k, w in weights.items()}
    counts = {k: minimum + math.floor(s) for k, s in shares.items()}
    left = total - sum(counts.values())
    for k in sorted(shares, key=lambda k: (math.floor(shares[k]) - shares[k], k))[:left]:
        counts[k] += 1
    return counts


def point(geo: DistrictGeo, salt: str) -> tuple[float, float]:
    """A fixed point (latitude, longitude) in the inner part of the district's bounding box."""
    digest = _digest("point", salt)
    u, v = (int.from_bytes(digest[i : i + 4], "big") / 2**32 for i in (0, 4))
    latitude = geo.min_lat + (0.15 + 0.7 * u) * (geo.max_lat - geo.min_lat)
    longitude = geo.min_lon + (0.15 + 0.7 * v) * (geo.max_lon - geo.min_lon)
    return round(latitude, 5), round(longitude, 5)


def located(item: Item, geo: DistrictGeo, salt: str) -> Item:
    latitude, longitude = point(geo, salt)
    return {**item, "latitude": latitude, "longitude": longitude}


def days(first: datetime.date, last: datetime.date, count: int) -> list[str]:
    """``count`` ISO dates spread evenly from ``first`` to ``last`` (both included when count > 1)."""
    if count <= 1:
        return [first.isoformat()] * count
    span = (last - first).days
    return [(first + datetime.timedelta(days=span * i // (count - 1))).isoformat() for i in range(count)]


def key(*parts: str | int) -> str:
    return ":".join([KEY_PREFIX, *(str(p) for p in parts)])
