"""The demo's unit groups (ADR 0056): only what the seeds name, each member a commune of the
reference list, every item keyed so a re-import changes nothing."""

from __future__ import annotations

from services.registry.application.bulk_import import KINDS
from services.registry.seed.demo_assets import demo_items
from services.registry.seed.reference import reference_units
from services.registry.seed.unit_groups import PILOT, unit_group_items

NAMED_PILOTS = {"Xã Như Cố", "Xã Quang Thuận", "Xã Giáo Hiệu", "Xã Côn Minh"}
"""The four pilot communes the Q3-2023 briefing names (seeds/003_72937f4bb0c03d40.txt)."""


def test_the_pilot_group_holds_the_four_communes_the_briefing_names() -> None:
    items = unit_group_items()
    [group] = [i for i in items if i["kind"] == "create_unit_group"]
    assert group["code"] == PILOT
    assert "29/10/2023" in group["source"]
    communes = {u.code: u for u in reference_units() if u.level == "commune"}
    members = [i["unit_code"] for i in items if i["kind"] == "add_unit_group_member"]
    assert {communes[code].name for code in members} == NAMED_PILOTS
    assert len({communes[code].parent_code for code in members}) == len(members)  # one per district


def test_group_items_are_keyed_import_kinds_after_the_units_they_name() -> None:
    items = unit_group_items()
    assert all(i["kind"] in KINDS and i["key"] for i in items)
    assert len({i["key"] for i in items}) == len(items)
    every = demo_items()
    assert every[-len(items) :] == items
