"""Demo grassroots radio (2022): one station per commune, their upgrades and status, and the
loudspeaker clusters. Figures and sources: ``demo_assets``.

Which commune gets what is fixed by hash orders (``demo_support.ranked``):
- Ba Bể (district 061, 15 communes): 7 new IP stations and 5 FM stations upgraded to IP in
  2022 (the provincial project), 3 IP stations installed in 2020 funded by the Thiện Tâm fund;
- the other 93 communes: 78 IP stations (39 new in 2022, 39 FM/wired stations upgraded in
  2022) and 15 FM or wired stations, 4 of which are not working at the end of 2022 (2 DOWN,
  2 DEGRADED), so 104 of 108 work well;
- clusters: 104 in Ba Bể, spread over its communes by their number of villages, one per
  village; 2 per other IP station, in its commune's first two villages; each installed when
  its station became IP.
A station that was there before the registry's history starts (2020-02-01) is recorded as
installed on that day: the seeds give no installation dates.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from services.registry.seed.demo_support import DemoUnits, Item, days, key, located, ranked, spread
from services.registry.seed.reference import ReferenceUnit
from services.registry.seed.structure import VALID_FROM

BA_BE = "061"
BA_BE_NEW, BA_BE_UPGRADED, BA_BE_CHARITY = 7, 5, 3
BA_BE_CLUSTERS = 104
IP_STATIONS = 93
WELL_WORKING_SHARE = 0.96
CLUSTERS_PER_OTHER_IP_STATION = 2
NOT_WORKING: tuple[tuple[str, str], ...] = (
    ("DOWN", "Trạm không hoạt động: thiết bị phát hỏng (dữ liệu mẫu)"),
    ("DEGRADED", "Trạm hoạt động kém: âm thanh rè, phủ sóng không hết địa bàn (dữ liệu mẫu)"),
    ("DOWN", "Trạm không hoạt động: mất nguồn điện kéo dài (dữ liệu mẫu)"),
    ("DEGRADED", "Trạm hoạt động kém: máy tính không đáp ứng yêu cầu (dữ liệu mẫu)"),
)
PROJECT_FUNDING = "Dự án Hoàn thiện hệ thống truyền thanh cơ sở tỉnh Bắc Kạn"
CHARITY_FUNDING = "Quỹ Thiện Tâm (Tập đoàn Vingroup)"
PROJECT_FIRST, PROJECT_LAST = datetime.date(2022, 3, 1), datetime.date(2022, 11, 30)
CHARITY_FIRST, CHARITY_LAST = datetime.date(2020, 8, 3), datetime.date(2020, 11, 27)
STATUS_FIRST, STATUS_LAST = datetime.date(2022, 10, 3), datetime.date(2022, 12, 12)


@dataclass(frozen=True)
class StationPlan:
    commune: ReferenceUnit
    technology: str
    """As registered."""
    installed_on: str
    funding_source: str | None = None
    upgraded_on: str | None = None
    """To IP, when the station was upgraded."""

    @property
    def ip_since(self) -> str | None:
        return self.upgraded_on or (self.installed_on if self.technology == "IP" else None)


def station_plans(units: DemoUnits) -> list[StationPlan]:
    """Every commune's station, in commune order."""
    plans: dict[str, StationPlan] = {}
    ba_be = ranked((c.code for c in units.communes_of(BA_BE)), "radio-ba-be")
    others = ranked((c.code for c in units.communes if c.parent_code != BA_BE), "radio")
    other_ip = IP_STATIONS - len(ba_be)
    new_ba_be, upgraded_ba_be = ba_be[:BA_BE_NEW], ba_be[BA_BE_NEW : BA_BE_NEW + BA_BE_UPGRADED]
    charity = ba_be[BA_BE_NEW + BA_BE_UPGRADED :]
    upgraded_other, new_other = others[: other_ip // 2], others[other_ip // 2 : other_ip]
    project = [*new_ba_be, *upgraded_ba_be, *new_other, *upgraded_other]
    project_day = dict(zip(ranked(project, "radio-day"), days(PROJECT_FIRST, PROJECT_LAST, len(project)), strict=True))
    commune = {c.code: c for c in units.communes}
    start = VALID_FROM.isoformat()
    for code in [*new_ba_be, *new_other]:
        plans[code] = StationPlan(commune[code], "IP", project_day[code], PROJECT_FUNDING)
    for code in [*upgraded_ba_be, *upgraded_other]:
        plans[code] = StationPlan(commune[code], "FM", start, upgraded_on=project_day[code])
    for code, day in zip(charity, days(CHARITY_FIRST, CHARITY_LAST, len(charity)), strict=True):
        plans[code] = StationPlan(commune[code], "IP", day, CHARITY_FUNDING)
    for n, code in enumerate(others[other_ip:]):
        plans[code] = StationPlan(commune[code], "FM" if n % 2 == 0 else "WIRED", start)
    return [plans[c.code] for c in units.communes]


def _not_working(plans: list[StationPlan]) -> list[StationPlan]:
    """The stations not working well at the end of 2022: among those never made IP."""
    count = len(plans) - round(WELL_WORKING_SHARE * len(plans))
    legacy = {p.commune.code: p for p in plans if p.ip_since is None}
    return [legacy[code] for code in ranked(legacy, "radio-not-working")[:count]]


def _stations(plans: list[StationPlan], centre: Callable[[str], str], units: DemoUnits) -> list[Item]:
    items: list[Item] = []
    for p in plans:
        item: Item = {
            "kind": "register_radio_station",
            "key": key("radio-station", p.commune.code),
            "unit_code": p.commune.code,
            "technology": p.technology,
            "installed_on": p.installed_on,
            "operator_code": centre(units.district_of(p.commune)),
        }
        if p.funding_source is not None:
            item["funding_source"] = p.funding_source
        items.append(item)
    return items


def _upgrades(plans: list[StationPlan]) -> list[Item]:
    return [
        {
            "kind": "upgrade_radio_station",
            "key": key("radio-upgrade", p.commune.code),
            "unit_code": p.commune.code,
            "technology": "IP",
            "upgraded_on": p.upgraded_on,
            "funding_source": PROJECT_FUNDING,
        }
        for p in plans
        if p.upgraded_on is not None
    ]


def _status_changes(plans: list[StationPlan]) -> list[Item]:
    broken = _not_working(plans)
    when = days(STATUS_FIRST, STATUS_LAST, len(broken))
    return [
        {
            "kind": "change_radio_station_status",
            "key": key("radio-status", p.commune.code),
            "unit_code": p.commune.code,
            "status": status,
            "effective_on": day,
            "reason": reason,
        }
        for p, (status, reason), day in zip(broken, NOT_WORKING, when, strict=True)
    ]


def _cluster_counts(plans: list[StationPlan], units: DemoUnits) -> dict[str, int]:
    ba_be = units.communes_of(BA_BE)
    counts = spread(BA_BE_CLUSTERS, units.village_weights(ba_be), minimum=1)
    for p in plans:
        if p.ip_since is not None and p.commune.parent_code != BA_BE:
            counts[p.commune.code] = CLUSTERS_PER_OTHER_IP_STATION
    return counts


def _clusters(plans: list[StationPlan], units: DemoUnits) -> list[Item]:
    counts = _cluster_counts(plans, units)
    items: list[Item] = []
    for p in plans:
        villages = units.villages_of[p.commune.code][: counts.get(p.commune.code, 0)]
        geo = units.geo[units.district_of(p.commune)]
        for village in villages:
            item: Item = {
                "kind": "register_speaker_cluster",
                "key": key("speaker-cluster", village.code),
                "station_unit_code": p.commune.code,
                "village_code": village.code,
                "installed_on": p.ip_since,
            }
            items.append(located(item, geo, village.code))
    return items


def radio_items(units: DemoUnits, centre: Callable[[str], str]) -> list[Item]:
    """Stations, upgrades, status changes, clusters (in that order: each may need the one before).
    ``centre`` names the organisation code of a district's culture/media centre (the operator)."""
    plans = station_plans(units)
    return [*_stations(plans, centre, units), *_upgrades(plans), *_status_changes(plans), *_clusters(plans, units)]
