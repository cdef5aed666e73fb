"""Bulk-import items that register the province's structure as it stood from 2020-02-01.

Bắc Kạn's last commune merge before 2025 took effect on 2020-02-01 (``data/README.md``); the
2025-03-01 list (``reference``) is the structure from that day until the 2025
reorganisation, so every unit, villages included, is registered valid from 2020-02-01.
(The units' history before that date is not in any file we have.)
Order: province, districts, communes, villages (a parent before its children).
"""

from __future__ import annotations

import datetime
from typing import Any

from services.registry.seed.reference import ReferenceUnit, reference_units
from services.registry.seed.villages import villages

VALID_FROM = datetime.date(2020, 2, 1)

Item = dict[str, Any]


def register_item(
    code: str, name: str, level: str, *, parent_code: str | None, unit_type: str | None, valid_from: datetime.date
) -> Item:
    item: Item = {
        "kind": "register_unit",
        "code": code,
        "name": name,
        "level": level,
        "valid_from": valid_from.isoformat(),
        "unit_type": unit_type,
    }
    if parent_code is not None:
        item["parent_code"] = parent_code
    return item


def communes(units: list[ReferenceUnit] | None = None) -> list[ReferenceUnit]:
    return [u for u in (units if units is not None else reference_units()) if u.level == "commune"]


def structure_items() -> list[Item]:
    units = reference_units()
    by_level = {level: [u for u in units if u.level == level] for level in ("province", "district", "commune")}
    items = [
        register_item(u.code, u.name, u.level, parent_code=u.parent_code, unit_type=u.unit_type, valid_from=VALID_FROM)
        for level in ("province", "district", "commune")
        for u in by_level[level]
    ]
    items.extend(
        register_item(
            v.code, v.name, "village", parent_code=v.parent_code, unit_type=v.unit_type, valid_from=VALID_FROM
        )
        for v in villages(by_level["commune"])
    )
    return items
