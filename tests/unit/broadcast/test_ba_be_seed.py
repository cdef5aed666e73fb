"""The Ba Bể 2022 generator adds up to the seeds' figures before any service sees it."""

from __future__ import annotations

import datetime
from collections import Counter

from services.broadcast.domain.period import local_day
from services.broadcast.seed import ba_be_2022


def _seconds(items: list[dict[str, str]]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for item in items:
        start = datetime.datetime.fromisoformat(item["started_at"])
        end = datetime.datetime.fromisoformat(item["ended_at"])
        assert local_day(start) == local_day(end - datetime.timedelta(microseconds=1))  # no midnight crossing
        totals[item["source"]] += int((end - start).total_seconds())
    return totals


def test_relay_sessions_sum_to_the_reported_hours() -> None:
    totals = _seconds(ba_be_2022.relay_sessions([f"s{n}" for n in range(15)]))
    assert totals == {"VOV1": (1345 * 60 + 22) * 60, "VTV1": 279 * 3600, "PROVINCIAL": (475 * 60 + 13) * 60}


def test_programmes_sum_to_the_reported_counts_and_airtime() -> None:
    bodies = ba_be_2022.programmes()
    assert len(bodies) == 95
    assert sum(b["news_items"] for b in bodies) == 799
    assert sum(b["articles"] for b in bodies) == 262
    assert sum(b["duration_seconds"] for b in bodies) == (103 * 60 + 46) * 60
    assert Counter(s for b in bodies for s in b["segments"]) == ba_be_2022.SEGMENTS
    covid = Counter(i["kind"] for b in bodies for i in b["items"] if i["topic"] == "Covid-19")
    assert covid == {"news": 65, "article": 14}
    local = _seconds(ba_be_2022.local_sessions([f"p{n}" for n in range(95)], ["s1", "s2"]))
    assert local == {"LOCAL": (103 * 60 + 46) * 60}


def test_the_generator_is_deterministic() -> None:
    assert ba_be_2022.programmes() == ba_be_2022.programmes()
    assert ba_be_2022.relay_sessions(["a", "b"]) == ba_be_2022.relay_sessions(["a", "b"])
