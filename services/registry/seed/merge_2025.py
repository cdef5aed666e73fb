"""Bulk-import items that replay the 2025-07-01 reorganisation of Bắc Kạn (docs/adr/0005).

From the (unverified) mapping ``backan_merge_2025-07-01_unverified.csv`` (source in
``reference`` and ``data/README.md``): Bắc Kạn (06) went into Thái Nguyên (19), the district
level was abolished, and the 108 communes became 37. In order:

1. register province 19 "Tỉnh Thái Nguyên" from 2025-07-01 (its history before that day,
   as the old Thái Nguyên, is outside our data); from that day communes sit directly under
   a province (two-tier local government, ``TWO_TIER_FROM`` in the unit commands, ADR 0005);
2. one ``merge_units`` per new unit with two or more old communes (its code reuses one of
   theirs; the merge ends the old holder of the code before the successor claims it); a new
   unit made of one old commune with the same code is that commune continuing: it moves
   under province 19 (and is renamed if its name changed);
3. every village of a merged commune moves to the commune's successor (the villages of a
   continuing commune stay where they are);
4. the 8 districts are dissolved, and province 06 merges into 19.

Everything takes effect on 2025-07-01, so every query about an earlier date sees the old
structure unchanged.
"""

from __future__ import annotations

import datetime

import msgspec

from services.registry.seed.reference import MergeRow, merge_rows, reference_units
from services.registry.seed.structure import Item, communes, register_item
from services.registry.seed.villages import villages

MERGE_DATE = datetime.date(2025, 7, 1)
OLD_PROVINCE_CODE = "06"
NEW_PROVINCE_CODE = "19"
NEW_PROVINCE_NAME = "Tỉnh Thái Nguyên"
DISTRICTS_ENDED = "Cấp huyện chấm dứt hoạt động từ 01/07/2025 (chính quyền địa phương hai cấp)"
UNIT_TYPES = ("Thị trấn", "Phường", "Xã")


class MergeGroup(msgspec.Struct, frozen=True, kw_only=True):
    new_code: str
    new_name: str
    sources: list[MergeRow]


def merge_groups(rows: list[MergeRow] | None = None) -> list[MergeGroup]:
    """The new units in file order, each with the old communes that went into it."""
    groups: dict[str, MergeGroup] = {}
    for row in rows if rows is not None else merge_rows():
        if row.kind != "full":
            raise ValueError(f"{row.old_code} -> {row.new_code}: only whole units ('full') can be replayed")
        group = groups.setdefault(row.new_code, MergeGroup(new_code=row.new_code, new_name=row.new_name, sources=[]))
        group.sources.append(row)
    return list(groups.values())


def _unit_type(name: str) -> str | None:
    return next((t for t in UNIT_TYPES if name.startswith(t + " ")), None)


def _continuing(group: MergeGroup) -> list[Item]:
    [source] = group.sources
    if source.old_code != group.new_code:
        raise ValueError(f"{source.old_code} -> {group.new_code}: a single unit changing its code is not modelled")
    items: list[Item] = [
        {"kind": "reparent_unit", "code": source.old_code, "parent_code": NEW_PROVINCE_CODE, "effective_on": MERGE_DATE}
    ]
    if source.old_name != group.new_name:
        items.append(
            {"kind": "rename_unit", "code": source.old_code, "name": group.new_name, "effective_on": MERGE_DATE}
        )
    return items


def _merged(group: MergeGroup) -> Item:
    successor = register_item(
        group.new_code,
        group.new_name,
        "commune",
        parent_code=NEW_PROVINCE_CODE,
        unit_type=_unit_type(group.new_name),
        valid_from=MERGE_DATE,
    )
    del successor["kind"]
    return {
        "kind": "merge_units",
        "source_codes": [s.old_code for s in group.sources],
        "effective_on": MERGE_DATE,
        "successor": successor,
    }


def merge_items() -> list[Item]:
    units = reference_units()
    old_communes = communes(units)
    groups = merge_groups()
    successor_of = {s.old_code: g.new_code for g in groups for s in g.sources}
    continuing = {g.new_code for g in groups if len(g.sources) == 1}
    if sorted(successor_of) != sorted(c.code for c in old_communes):
        raise ValueError("the merge mapping does not cover exactly the communes of the reference list")
    items = [
        register_item(
            NEW_PROVINCE_CODE, NEW_PROVINCE_NAME, "province", parent_code=None, unit_type="Tỉnh", valid_from=MERGE_DATE
        ),
    ]
    for group in groups:
        items.extend([_merged(group)] if len(group.sources) > 1 else _continuing(group))
    items.extend(
        {
            "kind": "reparent_unit",
            "code": v.code,
            "parent_code": successor_of[v.parent_code],
            "effective_on": MERGE_DATE,
        }
        for v in villages(old_communes)
        if v.parent_code not in continuing
    )
    items.extend(
        {"kind": "dissolve_unit", "code": u.code, "effective_on": MERGE_DATE, "reason": DISTRICTS_ENDED}
        for u in units
        if u.level == "district"
    )
    items.append(
        {
            "kind": "merge_units",
            "source_codes": [OLD_PROVINCE_CODE],
            "successor_code": NEW_PROVINCE_CODE,
            "effective_on": MERGE_DATE,
        }
    )
    return _dates_as_text(items)


def _dates_as_text(items: list[Item]) -> list[Item]:
    """Items as a JSON body would carry them (dates as ISO strings)."""
    return [msgspec.json.decode(msgspec.json.encode(item)) for item in items]
