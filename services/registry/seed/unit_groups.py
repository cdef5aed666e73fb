"""The unit groups the seeds name and the demo can source (ADR 0056), as bulk-import items.

- ``PILOT_CDS_2023``: the 2023 digital-transformation pilot. The Department's Q3-2023 briefing
  (``../shared/seeds/003_72937f4bb0c03d40.txt``, 29/10/2023) says the plan piloted 8 communes,
  one per district, and names four of them: Như Cố (Chợ Mới, 02122), Quang Thuận (Bạch Thông,
  02017), Giáo Hiệu (Pác Nặm, 01870), Côn Minh (Na Rì, 02173); codes from the statistics
  office's list (``data/backan_units_2025-03-01.csv``). The other four are named nowhere the
  project holds, so the group has four members, from the plan's year (2023-01-01).
- The 12 "Chợ 4.0" markets: the same briefing says only that Na Rì deployed the model; no
  seed names the markets or their communes, so the demo has no such group.
- Border communes: Bắc Kạn has no international border, and the project's geography holds
  district outlines only (``data/backan_districts_geo.csv``), so no border group can be derived.
"""

from __future__ import annotations

from services.registry.seed.demo_support import Item, key

PILOT = "PILOT_CDS_2023"
PILOT_SOURCE = (
    "Sở TTTT Bắc Kạn, giao ban quý III/2023 (29/10/2023): Kế hoạch thí điểm chuyển đổi số tại 08 xã, "
    "phường, thị trấn năm 2023; bốn xã được nêu tên"
)
PILOT_JOINED_ON = "2023-01-01"
PILOT_COMMUNES = ("02122", "02017", "01870", "02173")
"""Như Cố, Quang Thuận, Giáo Hiệu, Côn Minh: the four pilot communes the briefing names."""


def unit_group_items() -> list[Item]:
    group: Item = {
        "kind": "create_unit_group",
        "key": key("unit-group", PILOT),
        "code": PILOT,
        "name": "Xã thí điểm chuyển đổi số 2023",
        "description": "The communes of the 2023 digital-transformation pilot the seeds name (4 of 8).",
        "source": PILOT_SOURCE,
    }
    members: list[Item] = [
        {
            "kind": "add_unit_group_member",
            "key": key("unit-group", PILOT, code),
            "group_code": PILOT,
            "unit_code": code,
            "joined_on": PILOT_JOINED_ON,
        }
        for code in PILOT_COMMUNES
    ]
    return [group, *members]
