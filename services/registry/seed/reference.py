"""Bắc Kạn's administrative units and their 2025 merge mapping, read from ``data/``.

Sources (see ``data/README.md``):
- ``backan_units_2025-03-01.csv``: General Statistics Office list of administrative units,
  as collected in the public ``dvhcvn`` dataset (data/dvhcvn.json, dated 01/03/2025):
  province 06, 8 district-level and 108 commune-level units. Official list.
- ``backan_merge_2025-07-01_unverified.csv``: the public ``dvhcvn/20250701`` mapping of the
  108 communes into 37 commune-level units of Thái Nguyên (code 19) from 2025-07-01, made
  with machine assistance from Resolution 1683/NQ-UBTVQH15. Unverified: for demos and tests.
- ``backan_districts_geo.csv``: district centroids and bounding boxes computed from the
  same dataset's boundary polygons (data/gis/06.json). Approximate.
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from typing import Literal

import msgspec

Level = Literal["province", "district", "commune"]

UNITS_FILE = "backan_units_2025-03-01.csv"
MERGE_FILE = "backan_merge_2025-07-01_unverified.csv"
GEO_FILE = "backan_districts_geo.csv"


class ReferenceUnit(msgspec.Struct, frozen=True, kw_only=True):
    level: Level
    code: str
    name: str
    unit_type: str
    parent_code: str | None


class MergeRow(msgspec.Struct, frozen=True, kw_only=True):
    new_code: str
    new_name: str
    old_code: str
    old_name: str
    kind: str
    """``full``: the whole old unit went into the new one (every row of the file, today)."""


class DistrictGeo(msgspec.Struct, frozen=True, kw_only=True):
    district_code: str
    name: str
    centroid_lon: float
    centroid_lat: float
    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("services.registry.seed").joinpath("data").joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def reference_units() -> list[ReferenceUnit]:
    """In file order: the province, then each district followed by its communes."""
    return [
        ReferenceUnit(
            level=msgspec.convert(row["level"], Level),
            code=row["code"],
            name=row["name"],
            unit_type=row["type"],
            parent_code=row["parent_code"] or None,
        )
        for row in _rows(UNITS_FILE)
    ]


def merge_rows() -> list[MergeRow]:
    return [msgspec.convert(row, MergeRow) for row in _rows(MERGE_FILE)]


def district_geo() -> list[DistrictGeo]:
    return [msgspec.convert(row, DistrictGeo, strict=False) for row in _rows(GEO_FILE)]
