"""Demo telecom and public service points (2022): VNPT's base stations and village fibre, the
post's service points, video-conference endpoints. Figures and sources: ``demo_assets``.

Base stations: the seed's 198 2G / 265 3G / 263 4G are VNPT Bắc Kạn's own, and one site
carries several technologies, so the demo has 265 VNPT sites:

    196 sites 2G+3G+4G   -> 2G 196, 3G 196, 4G 196
      2 sites 2G+3G      -> 2G   2, 3G   2
     67 sites 3G+4G      ->          3G  67, 4G  67
    ---------------------------------------------
    265 sites            -> 2G 198, 3G 265, 4G 263

39 of the 3G+4G sites are the ones built in 2021-2022 (commissioned over those two years), the
others were in service when the registry's history starts (2020-02-01). Every commune has at
least two sites, the first of which carries 2G+3G+4G ("coverage of every commune"); the rest go
by the commune's number of villages.
"""

from __future__ import annotations

import datetime

from services.registry.seed.demo_support import DemoUnits, Item, days, key, located, ranked, spread
from services.registry.seed.structure import VALID_FROM

VNPT, VNPOST = "VNPT", "VNPOST"
BTS_SITES: tuple[tuple[tuple[str, ...], int], ...] = (
    (("2G", "3G", "4G"), 196),
    (("2G", "3G"), 2),
    (("3G", "4G"), 67),
)
BTS_PER_COMMUNE_AT_LEAST = 2
BTS_BUILT_2021_2022 = 39
VILLAGES_WITH_FIBRE = 804
POSTAL_POINTS_2022, POSTAL_POINTS_2020 = 249, 136
VIDEO_ENDPOINTS = 118
PROVINCE_VIDEO_ENDPOINTS = 2
"""118 endpoints in 108/108 communes: one per commune and district, two at the province (assumed)."""

START = VALID_FROM.isoformat()


def _bts(units: DemoUnits) -> list[Item]:
    total = sum(n for _, n in BTS_SITES)
    per_commune = spread(total, units.village_weights(), minimum=BTS_PER_COMMUNE_AT_LEAST)
    first_sites = [(c.code, 1) for c in units.communes]
    others = [(c.code, n) for c in units.communes for n in range(2, per_commune[c.code] + 1)]
    order = {f"{c}:{n}": (c, n) for c, n in others}
    queue = first_sites + [order[s] for s in ranked(order, "bts")]
    technologies = [list(t) for t, n in BTS_SITES for _ in range(n)]
    built = [i for i, t in enumerate(technologies) if t == ["3G", "4G"]][:BTS_BUILT_2021_2022]
    commissioned = [START] * total
    for i, day in zip(built, days(datetime.date(2021, 1, 18), datetime.date(2022, 12, 5), len(built)), strict=True):
        commissioned[i] = day
    district = {c.code: units.district_of(c) for c in units.communes}
    items = []
    for (commune, n), techs, day in zip(queue, technologies, commissioned, strict=True):
        item: Item = {
            "kind": "commission_bts_station",
            "key": key("bts", commune, n),
            "operator_code": VNPT,
            "unit_code": commune,
            "technologies": techs,
            "commissioned_on": day,
        }
        items.append(located(item, units.geo[district[commune]], f"bts:{commune}:{n}"))
    return sorted(items, key=lambda i: str(i["key"]))


def _fibre(units: DemoUnits) -> list[Item]:
    """Every commune's first village first, then every village of a ward or township, then the
    rest in a hash order; connected over 2020-2022 in that order."""
    first = [units.villages_of[c.code][0].code for c in units.communes]
    urban = [v.code for c in units.communes if units.urban(c) for v in units.villages_of[c.code][1:]]
    rest = ranked((v.code for v in units.all_villages() if v.code not in set(first) | set(urban)), "fibre")
    chosen = [*first, *urban, *rest][:VILLAGES_WITH_FIBRE]
    when = days(datetime.date(2020, 3, 2), datetime.date(2022, 12, 12), len(chosen))
    return [
        {
            "kind": "connect_village_fibre",
            "key": key("fibre", village),
            "village_code": village,
            "operator_code": VNPT,
            "connected_on": day,
        }
        for village, day in zip(chosen, when, strict=True)
    ]


def _postal(units: DemoUnits) -> list[Item]:
    """At least one point per commune, the rest by villages; each commune's first point and
    some others were open in 2020 (136), the others opened over 2020-2022."""
    per_commune = spread(POSTAL_POINTS_2022, units.village_weights(), minimum=1)
    points = [(c, n) for c in units.communes for n in range(1, per_commune[c.code] + 1)]
    later = ranked((f"{c.code}:{n}" for c, n in points if n > 1), "postal")
    early_extra = set(later[: POSTAL_POINTS_2020 - len(units.communes)])
    opened_later = later[POSTAL_POINTS_2020 - len(units.communes) :]
    opened = dict(
        zip(opened_later, days(datetime.date(2020, 4, 6), datetime.date(2022, 11, 28), len(opened_later)), strict=True)
    )
    items: list[Item] = []
    for commune, n in points:
        ref = f"{commune.code}:{n}"
        items.append(
            {
                "kind": "open_postal_point",
                "key": key("postal-point", commune.code, n),
                "unit_code": commune.code,
                "name": f"Điểm phục vụ bưu chính mẫu {n:02d} - {commune.name}",
                "operator_code": VNPOST,
                "opened_on": START if n == 1 or ref in early_extra else opened[ref],
            }
        )
    return items


def _video(units: DemoUnits) -> list[Item]:
    places = (
        [(units.province.code, n, "2020-06-01") for n in range(1, PROVINCE_VIDEO_ENDPOINTS + 1)]
        + [(d.code, 1, "2020-06-01") for d in units.districts]
        + [
            (c.code, 1, day)
            for c, day in zip(
                units.communes,
                days(datetime.date(2021, 3, 1), datetime.date(2022, 6, 30), len(units.communes)),
                strict=True,
            )
        ]
    )
    assert len(places) == VIDEO_ENDPOINTS
    return [
        {
            "kind": "register_video_endpoint",
            "key": key("video-endpoint", code, n),
            "unit_code": code,
            "installed_on": day,
        }
        for code, n, day in places
    ]


def network_items(units: DemoUnits) -> list[Item]:
    return [*_bts(units), *_fibre(units), *_postal(units), *_video(units)]
