"""The demo dataset: the province's assets at the end of 2022, as bulk-import items over the
seeded units (``structure``: communes from the official list, villages synthetic), reproducing
the source reports' 2022 counts exactly. ``tinhso seed --demo`` imports ``demo_items()``.

Sources (``../shared/seeds/``, described in ``../shared/design/DOMAIN.md``):

- [S000] ``000_da0b82c49c5a7971.txt``: conference papers on 2022 by the Chợ Mới district
  culture office, the Ba Bể district culture/media centre (Trung tâm VHTT&TT huyện Ba Bể) and
  VNPT Bắc Kạn;
- [S001] ``001_85680ccf488cda21.txt``: Bắc Kạn Department of Information and Communications
  (Sở TT&TT), 2022 year-end review, 30/12/2022;
- [S002] ``002_8adb2de44bcbdbe1.txt``: Sở TT&TT, 2015-2020 term article, 18/03/2020;
- [S004] ``004_155cba2ab26192d2.txt``: provincial article on digital transformation, 22/03/2024.

Figure (2022 unless said) -> what the demo has [source]:

- 108 communes (the seeded structure) -> a grassroots radio station in each, 108 [S001];
- 93 commune stations installed or upgraded to IT/telecom-enabled -> 93 IP stations [S001];
- communes with a well-working station: 96% -> 104 OPERATIONAL (round(0.96 x 108)), 2 DOWN,
  2 DEGRADED [S001];
- Ba Bể: IT-enabled stations in 12 communes, 7 new and 5 upgraded -> 7 registered IP in 2022,
  5 registered FM and upgraded to IP in 2022 [S000];
- Ba Bể: 3 more communes in 2020 from the Thiện Tâm fund (Vingroup) -> 3 IP stations installed
  in 2020, with that funding source [S000];
- Ba Bể: more than 100 loudspeaker clusters -> 104 there, plus 2 per other IP station (156) [S000];
- VNPT: 198 2G, 265 3G, 263 4G base stations covering every commune, 39 new 3G/4G ones in
  2021-2022 -> 265 VNPT sites (technologies per site in ``demo_network``) [S000];
- fibre in 804 of 1,292 villages (VNPT) -> 804 villages connected by VNPT [S000];
- 108/108 commune-level digital teams with 1,014 members -> 108 teams, 1,014 members [S001, S004];
- 1,197/1,292 village-level digital teams -> 1,197 teams [S001];
- 249 postal service points (136 in 2020) -> 249 VNPOST points, 136 open on 2020-02-01 [S001, S002];
- 118 video-conference endpoints in 108/108 communes -> one per commune and district, two at
  the province (that split is assumed) [S004];
- 22 information systems with an approved security level, 3 at level 3 and 19 at level 2 ->
  22 systems, each with one approval [S001].

Readings and assumptions (the reports do not say):
- the 93 IP stations include Ba Bể's 15 (12 of 2022 and the 3 of 2020). [S001] also says
  "93%" of communes have one, which would be about 100 of 108: the count is reproduced, not
  the percentage;
- the 198/265/263 base stations are VNPT Bắc Kạn's own ("đơn vị đã đầu tư và duy trì", in
  VNPT's paper), not all operators'; the demo has no Viettel or MobiFone base stations (they
  are registered as organisations): [S004]'s 882 base stations in 2023 (+210 on 2022) would
  put all operators at about 672 in 2022, with no split by technology or operator;
- members of village-level teams are not given for 2022; [S004] gives 5,689 members for all
  1,292 village teams in 2023, so the 1,197 teams of 2022 get round(5,689 x 1,197 / 1,292) =
  5,271 members, 4 or 5 each;
- which commune, village, date or system gets what is made up, deterministically (hash orders,
  ``demo_support``): dates fall in 2020-02-01 .. 2022-12-31, so queries as of 2022-12-31 see
  everything; information systems' names are synthetic ("Hệ thống thông tin mẫu 01");
- each district's culture/media centre (code ``TTVH-<district code>``) operates its
  communes' stations.

Every item has a stable ``key`` (``demo-2022:...``), so importing the dataset again changes
nothing. Items name units by code and stations by their commune (``asset_import``).
"""

from __future__ import annotations

import datetime

from services.registry.seed.demo_network import network_items
from services.registry.seed.demo_radio import radio_items
from services.registry.seed.demo_support import DemoUnits, Item, days, demo_units, key, ranked, spread
from services.registry.seed.structure import VALID_FROM
from services.registry.seed.unit_groups import unit_group_items

OPERATORS: tuple[tuple[str, str, str], ...] = (
    ("VNPT", "VNPT Bắc Kạn", "telecom"),
    ("VIETTEL", "Viettel Bắc Kạn", "telecom"),
    ("MOBIFONE", "MobiFone Bắc Kạn", "telecom"),
    ("VNPOST", "Bưu điện tỉnh Bắc Kạn", "post"),
)
COMMUNE_TEAM_MEMBERS = 1_014
VILLAGE_TEAMS = 1_197
VILLAGE_TEAM_MEMBERS = round(5_689 * VILLAGE_TEAMS / 1_292)
SYSTEM_LEVELS: tuple[tuple[int, int], ...] = ((3, 3), (2, 19))
"""(security level, number of systems)."""
SYSTEM_OWNERS = (
    "Văn phòng UBND tỉnh Bắc Kạn",
    "Sở Thông tin và Truyền thông tỉnh Bắc Kạn",
    "Sở Tài nguyên và Môi trường tỉnh Bắc Kạn",
    "Sở Y tế tỉnh Bắc Kạn",
    "Sở Giáo dục và Đào tạo tỉnh Bắc Kạn",
)


def centre_code(district_code: str) -> str:
    return f"TTVH-{district_code}"


def _centre_name(district_name: str) -> str:
    kind, _, place = district_name.partition(" ")
    if kind == "Thành":  # "Thành Phố Bắc Kạn"
        return "Trung tâm Văn hóa, Thể thao và Truyền thông thành phố " + place.partition(" ")[2]
    return f"Trung tâm Văn hóa, Thể thao và Truyền thông {kind.lower()} {place}"


def _organisations(units: DemoUnits) -> list[Item]:
    items: list[Item] = [
        {
            "kind": "register_organisation",
            "key": key("organisation", code),
            "code": code,
            "name": name,
            "organisation_kind": kind,
        }
        for code, name, kind in OPERATORS
    ]
    for district in units.districts:
        code = centre_code(district.code)
        items.append(
            {
                "kind": "register_organisation",
                "key": key("organisation", code),
                "code": code,
                "name": _centre_name(district.name),
                "organisation_kind": "district_centre",
                "unit_code": district.code,
                "as_of": VALID_FROM.isoformat(),
            }
        )
    return items


def _teams(units: DemoUnits) -> list[Item]:
    commune_members = spread(COMMUNE_TEAM_MEMBERS, units.village_weights(), minimum=5)
    commune_days = days(datetime.date(2021, 12, 6), datetime.date(2022, 3, 28), len(units.communes))
    items: list[Item] = [
        {
            "kind": "establish_digital_team",
            "key": key("digital-team", c.code),
            "unit_code": c.code,
            "level": "commune",
            "established_on": day,
            "member_count": commune_members[c.code],
        }
        for c, day in zip(units.communes, commune_days, strict=True)
    ]
    with_team = set(ranked((v.code for v in units.all_villages()), "village-teams")[:VILLAGE_TEAMS])
    villages = [v for v in units.all_villages() if v.code in with_team]
    members = spread(VILLAGE_TEAM_MEMBERS, {v.code: 1.0 for v in villages})
    village_days = days(datetime.date(2022, 4, 4), datetime.date(2022, 11, 21), len(villages))
    items.extend(
        {
            "kind": "establish_digital_team",
            "key": key("digital-team", v.code),
            "unit_code": v.code,
            "level": "village",
            "established_on": day,
            "member_count": members[v.code],
        }
        for v, day in zip(villages, village_days, strict=True)
    )
    return items


def _systems() -> list[Item]:
    levels = [level for level, count in SYSTEM_LEVELS for _ in range(count)]
    approved = days(datetime.date(2020, 10, 12), datetime.date(2022, 11, 14), len(levels))
    registered: list[Item] = []
    approvals: list[Item] = []
    for n, (level, day) in enumerate(zip(levels, approved, strict=True), start=1):
        system_key = key("information-system", f"{n:02d}")
        registered.append(
            {
                "kind": "register_information_system",
                "key": system_key,
                "name": f"Hệ thống thông tin mẫu {n:02d}",
                "owner_agency": SYSTEM_OWNERS[(n - 1) % len(SYSTEM_OWNERS)],
                "hosted_in_data_centre": level >= 3 or n % 3 != 0,
            }
        )
        approvals.append(
            {
                "kind": "approve_security_level",
                "key": key("security-level", f"{n:02d}"),
                "system_key": system_key,
                "level": level,
                "approved_on": day,
            }
        )
    return [*registered, *approvals]


def demo_items() -> list[Item]:
    """The demo dataset, in an order where every item comes after what it needs: organisations,
    radio, telecom and service points, teams, information systems, unit groups."""
    units = demo_units()
    return [
        *_organisations(units),
        *radio_items(units, centre_code),
        *network_items(units),
        *_teams(units),
        *_systems(),
        *unit_group_items(),
    ]
