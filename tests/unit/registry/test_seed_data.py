"""The seed's reference data and the items built from it, without a database."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from services.registry.seed import reference
from services.registry.seed.merge_2025 import MERGE_DATE, NEW_PROVINCE_CODE, merge_groups, merge_items
from services.registry.seed.reference import district_geo, merge_rows, reference_units
from services.registry.seed.structure import communes, structure_items
from services.registry.seed.villages import MIN_PER_COMMUNE, VILLAGES_2022, village_counts, villages

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def test_the_reference_list_has_one_province_8_districts_and_108_communes() -> None:
    units = reference_units()
    assert Counter(u.level for u in units) == {"province": 1, "district": 8, "commune": 108}
    [province] = [u for u in units if u.level == "province"]
    assert (province.code, province.name, province.parent_code) == ("06", "Tỉnh Bắc Kạn", None)
    districts = {u.code for u in units if u.level == "district"}
    assert all(u.parent_code == "06" for u in units if u.level == "district")
    assert all(u.parent_code in districts for u in units if u.level == "commune")
    assert len({u.code for u in units}) == len(units)
    assert all(unicodedata.is_normalized("NFC", u.name) for u in units)


def test_the_merge_mapping_sends_each_of_the_108_communes_into_one_of_37_units() -> None:
    rows = merge_rows()
    groups = merge_groups(rows)
    assert len(rows) == 108
    assert len(groups) == 37
    assert sorted(r.old_code for r in rows) == sorted(c.code for c in communes())
    assert all(g.new_code in {s.old_code for s in g.sources} for g in groups)  # every new unit reuses a code
    assert [g.new_code for g in groups if len(g.sources) == 1] == ["01957"]


def test_the_geo_file_has_a_box_around_each_districts_centroid() -> None:
    geo = district_geo()
    assert len(geo) == 8
    assert all(g.min_lon < g.centroid_lon < g.max_lon and g.min_lat < g.centroid_lat < g.max_lat for g in geo)


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared data directory is not beside the repository")
def test_the_packaged_csvs_are_copies_of_the_shared_reference_data() -> None:
    for name in (reference.UNITS_FILE, reference.MERGE_FILE, reference.GEO_FILE):
        packaged = Path(reference.__file__).parent / "data" / name
        assert packaged.read_bytes() == (SHARED / name).read_bytes(), name


def test_1292_villages_are_spread_over_every_commune_the_same_way_every_time() -> None:
    old = communes()
    made = villages(old)
    assert len(made) == VILLAGES_2022
    per_commune = Counter(v.parent_code for v in made)
    assert set(per_commune) == {c.code for c in old}
    assert min(per_commune.values()) >= MIN_PER_COMMUNE >= 1
    assert made == villages(old)
    assert village_counts([c.code for c in reversed(old)]) == village_counts([c.code for c in old])
    assert len({v.code for v in made}) == len(made)
    assert all("mẫu" in v.name and v.code.startswith(v.parent_code + "-T") for v in made)


def test_wards_get_street_groups_and_communes_get_villages() -> None:
    made = {v.code: v for v in villages(communes())}
    assert made["01834-T01"].name == "Tổ dân phố mẫu 01"  # Phường Nguyễn Thị Minh Khai
    assert made["01849-T01"].name == "Thôn mẫu 01"  # Xã Dương Quang


def test_the_structure_registers_parents_before_children_from_2020_02_01() -> None:
    items = structure_items()
    assert Counter(i["level"] for i in items) == {"province": 1, "district": 8, "commune": 108, "village": 1292}
    assert [i["level"] for i in items[:10]] == ["province"] + ["district"] * 8 + ["commune"]
    seen: set[str] = set()
    for item in items:
        assert item["kind"] == "register_unit"
        assert item["valid_from"] == "2020-02-01"
        assert item.get("parent_code") is None or item["parent_code"] in seen
        seen.add(item["code"])


def test_the_merge_items_replace_the_districts_and_move_every_village_of_a_merged_commune() -> None:
    items = merge_items()
    kinds = Counter(i["kind"] for i in items)
    thuong_quan_villages = sum(1 for v in villages(communes()) if v.parent_code == "01957")
    assert kinds == {
        "register_unit": 1,  # province 19; communes sit directly under it from 2025-07-01
        "merge_units": 36 + 1,  # 36 new communes, and province 06 into 19
        "reparent_unit": 1 + VILLAGES_2022 - thuong_quan_villages,  # Thượng Quan carries on, its villages stay
        "dissolve_unit": 8,
    }
    assert all(i.get("effective_on", i.get("valid_from")) == MERGE_DATE.isoformat() for i in items)
    merges = [i for i in items if i["kind"] == "merge_units" and "successor" in i]
    assert all(m["successor"]["parent_code"] == NEW_PROVINCE_CODE for m in merges)
    assert items[-1] == {
        "kind": "merge_units",
        "source_codes": ["06"],
        "successor_code": "19",
        "effective_on": "2025-07-01",
    }
