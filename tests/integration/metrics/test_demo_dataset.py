"""Acceptance on the seeds' demo dataset (``tinhso seed --demo``, through the registry's commands):
the computed indicators reproduce the 2022 figures, the seeds' province figures are reported
values with their sources (both where two documents disagree), a reported value shows its progress against
its target, the 8 districts rank deterministically by the DTI with the score explained, and a
rebuild of the metrics read models from the log gives identical values and announces nothing."""

from __future__ import annotations

import time
from typing import Any

import asyncpg
import pytest

from libs.common.db import create_pool
from libs.common.projections.rebuild import rebuild
from libs.common.settings import Settings
from services.metrics.entrypoints.projections import PROJECTIONS
from services.metrics.seed.indicators import province_indicators
from services.metrics.seed.seed_figures import in_publication_order
from tests.integration.metrics.conftest import Metrics
from tests.support.cli_process import run_tinhso

PROVINCE = "06"
ROUND = 6


async def _seed(settings: Settings) -> None:
    env = {"TINHSO_DATABASE_URL": settings.database_url, "TINHSO_TOPIC_PREFIX": settings.topic_prefix}
    code, output = await run_tinhso(env, "seed", "--demo")
    assert code == 0, output
    print(output)


async def _province_values(metrics: Metrics, codes: list[str], period: str = "2022") -> dict[str, Any]:
    found = await metrics.get("/values", codes=",".join(codes), unit_codes=PROVINCE, period=period)
    return {v["indicator_code"]: v["value"] for v in found}


async def _snapshot(metrics: Metrics) -> list[tuple[Any, ...]]:
    codes = ",".join(d.code for d in province_indicators())
    rows = []
    for level in ("province", "district", "commune"):
        for v in await metrics.get("/values/at-level", codes=codes, period="2022", level=level):
            value = None if v["value"] is None else round(v["value"], ROUND)
            rows.append((v["indicator_code"], v["unit_code"], value, v["reason"], v["target"]))
    return sorted(rows, key=repr)


async def _changes(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM metrics.events WHERE type = 'metrics.indicator_value_changed'"
        )
        return count
    finally:
        await conn.close()


@pytest.mark.timeout(300)
async def test_the_demo_dataset_gives_the_2022_figures_a_deterministic_dti_ranking_and_identical_rebuilds(
    metrics: Metrics, settings: Settings
) -> None:
    started = time.monotonic()
    await _seed(settings)
    seeded = time.monotonic()
    await metrics.caught_up(timeout=240)
    print(f"seeded in {seeded - started:.1f} s, metrics caught up {time.monotonic() - seeded:.1f} s later")

    counts = await _province_values(
        metrics,
        [
            "admin.districts", "admin.communes", "admin.villages", "radio.stations", "radio.stations.ip",
            "radio.communes.ip", "radio.communes.working", "telecom.bts.2g", "telecom.bts.3g", "telecom.bts.4g",
            "telecom.villages.fibre", "teams.commune", "teams.commune.members", "teams.village", "postal.points",
            "egov.video_endpoints", "radio.clusters",
        ],
    )  # fmt: skip
    assert counts == {
        "admin.districts": 8, "admin.communes": 108, "admin.villages": 1292, "radio.stations": 108,
        "radio.stations.ip": 93, "radio.communes.ip": 93, "radio.communes.working": 104, "telecom.bts.2g": 198,
        "telecom.bts.3g": 265, "telecom.bts.4g": 263, "telecom.villages.fibre": 804, "teams.commune": 108,
        "teams.commune.members": 1014, "teams.village": 1197, "postal.points": 249, "egov.video_endpoints": 118,
        "radio.clusters": 104 + 78 * 2,
    }  # fmt: skip
    shares = await _province_values(
        metrics,
        ["radio.communes.ip_share", "radio.communes.working_share", "telecom.villages.fibre_share",
         "teams.commune.coverage", "teams.village.coverage"],
    )  # fmt: skip
    assert {k: round(v, 2) for k, v in shares.items()} == {
        "radio.communes.ip_share": round(100 * 93 / 108, 2),
        "radio.communes.working_share": round(100 * 104 / 108, 2),  # the seeds' "96%"
        "telecom.villages.fibre_share": round(100 * 804 / 1292, 2),
        "teams.commune.coverage": 100.0,
        "teams.village.coverage": round(100 * 1197 / 1292, 2),
    }
    ba_be = await metrics.get(
        "/values",
        codes="broadcast.relay_hours.vov1,broadcast.relay_hours.vtv1,broadcast.relay_hours.provincial,"
        "broadcast.relay_hours.local,broadcast.programmes,broadcast.news_items,broadcast.articles,"
        "broadcast.outreach_sessions,broadcast.vehicle_trips",
        unit_codes="061",
        period="2022",
    )
    assert {v["indicator_code"]: round(v["value"], 6) for v in ba_be} == {
        "broadcast.relay_hours.vov1": round(1345 + 22 / 60, 6),  # the seeds' 1,345 h 22 min
        "broadcast.relay_hours.vtv1": 279.0,
        "broadcast.relay_hours.provincial": round(475 + 13 / 60, 6),
        "broadcast.relay_hours.local": round(103 + 46 / 60, 6),
        "broadcast.programmes": 95.0, "broadcast.news_items": 799.0, "broadcast.articles": 262.0,
        "broadcast.outreach_sessions": 82.0, "broadcast.vehicle_trips": 45.0,
    }  # fmt: skip
    # The seeds' province figures are reported values with their document and its words.
    reported = {(f.code, f.period): f for f in in_publication_order()}  # the later document's figure where two disagree
    for (code, period), figure in reported.items():
        value = await metrics.value(code, PROVINCE, period)
        assert value["value"] == figure.value, (code, period)
    households = await metrics.get(
        "/values/history", code="economy.ecommerce_households", unit_code=PROVINCE, period="2022"
    )
    assert [(h["value"], h["source"][:6]) for h in households] == [(76099, "[S000]"), (97360, "[S001]")]
    assert households[1]["comment"].startswith("97.360 hộ")
    # In 2020 the registry's history had begun but the 2021-2022 projects had not happened.
    assert (await _province_values(metrics, ["radio.stations.ip"], "2020"))["radio.stations.ip"] == 3

    # The last change announced for a province figure is the figure.
    conn = await asyncpg.connect(settings.database_url)
    announced = await conn.fetchval(
        """SELECT (data->>'value')::float8 FROM metrics.events WHERE type = 'metrics.indicator_value_changed'
           AND data->>'indicator_code' = 'telecom.villages.fibre' AND data->>'unit_code' = '06'
           AND data->>'period' = '2022' ORDER BY version DESC LIMIT 1"""
    )
    await conn.close()
    assert announced == 804

    bank = {"indicator_code": "citizens.bank_account_15plus", "unit_code": PROVINCE}
    await metrics.command("targets/set", {**bank, "year": 2022, "target": 50})
    await metrics.command("values/report", {**bank, "period": "2022", "value": 50.72, "source": "Sở TT&TT 2022"})
    await metrics.caught_up()
    value = await metrics.value("citizens.bank_account_15plus", PROVINCE, "2022")
    assert (value["value"], value["target"], round(value["progress"], 1)) == (50.72, 50.0, 101.4)

    districts = await metrics.get("/values/at-level", codes="admin.communes", period="2022", level="district")
    for n, d in enumerate(sorted(districts, key=lambda d: d["unit_code"])):
        rate = {"indicator_code": "egov.online_services_rate", "unit_code": d["unit_code"], "period": "2022"}
        await metrics.command("values/report", {**rate, "value": 60 + 5 * n})
    await metrics.caught_up()
    ranking = await metrics.get("/ranking", index_code="index.dti", period="2022", level="district")
    assert ranking == await metrics.get("/ranking", index_code="index.dti", period="2022", level="district")
    assert len(ranking) == 8
    assert [r["rank"] for r in ranking] == sorted(r["rank"] for r in ranking)
    scores = [r["score"] for r in ranking]
    assert scores == sorted(scores, reverse=True)
    for r in ranking:
        parts = r["value"]["breakdown"]
        assert {p["indicator_code"] for p in parts} == {c.code for c in province_indicators()[-1].components}
        assert round(sum(p["contribution"] for p in parts), 4) == round(r["score"], 4)
        missing = [p["indicator_code"] for p in parts if p["missing"]]
        assert missing == ["citizens.bank_account_15plus"]  # reported for the province only

    before = await _snapshot(metrics)
    announced_before = await _changes(settings.database_url)
    rebuilt = time.monotonic()
    pool = await create_pool(settings.database_url, service="metrics", max_size=2)
    try:
        for projection in PROJECTIONS:
            topics = {source: settings.topic(source) for source in projection.sources}
            await rebuild(projection, pool, topics=topics, partitions=settings.kafka_partitions)
    finally:
        await pool.close()
    print(f"rebuilt in {time.monotonic() - rebuilt:.1f} s")
    assert await _snapshot(metrics) == before
    assert await _changes(settings.database_url) == announced_before
