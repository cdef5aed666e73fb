"""A deterministic year of Ba Bể's broadcast operations (2022) that adds up to the seeds' figures.

The district culture and media centre's 2022 report (DOMAIN.md, "Broadcast operations") gives
totals only; this generator spreads them over the year and over the district's commune
stations so that the service's reports, computed from events, give the totals back exactly:

- relays: VOV1 1,345 h 22 min, VTV1 279 h 00 min, TBK (PROVINCIAL) 475 h 13 min: one session a
  day per source, in fixed time slots (VOV1 from 05:00, TBK from 11:00, VTV1 from 19:00 local
  time, none crossing midnight), at the stations in turn;
- 95 programmes with 799 news items and 262 articles, every item listed (65 news items and 14
  articles on Covid-19), lasting 103 h 46 min together; each is aired once as a LOCAL session
  (from 17:00) at a station in turn, so local airtime is 103 h 46 min too, and sent to every
  station of the district;
- segments: 3 "Hướng tới Lực lượng vũ trang", 6 "Thi đua yêu nước", 12 "Xây dựng Đảng",
  9 "Ngân hàng CSXH", 9 "An toàn giao thông", 10 "Xây dựng NTM", on distinct programmes;
- mobile outreach: 82 sessions ("more than 80") and 45 loudspeaker-vehicle trips.

Everything is a pure function of the stations' ids and codes, so two runs give the same items.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from contracts.province import PROVINCE_TZ

YEAR = 2022
DISTRICT = "061"
RELAY_MINUTES = {"VOV1": 1345 * 60 + 22, "VTV1": 279 * 60, "PROVINCIAL": 475 * 60 + 13}
RELAY_START_HOUR = {"VOV1": 5, "PROVINCIAL": 11, "VTV1": 19}
LOCAL_START_HOUR = 17
PROGRAMMES, NEWS_ITEMS, ARTICLES = 95, 799, 262
COVID_NEWS, COVID_ARTICLES = 65, 14
LOCAL_MINUTES = 103 * 60 + 46
SEGMENTS = {
    "Hướng tới Lực lượng vũ trang": 3,
    "Thi đua yêu nước": 6,
    "Xây dựng Đảng": 12,
    "Ngân hàng CSXH": 9,
    "An toàn giao thông": 9,
    "Xây dựng NTM": 10,
}
OUTREACH_SESSIONS, VEHICLE_TRIPS = 82, 45

Item = dict[str, Any]


def spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` whole numbers that differ by at most one and sum exactly."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _days() -> list[datetime.date]:
    first = datetime.date(YEAR, 1, 1)
    return [first + datetime.timedelta(days=n) for n in range((datetime.date(YEAR + 1, 1, 1) - first).days)]


def _at(day: datetime.date, hour: int, minutes_after: int = 0) -> datetime.datetime:
    start = datetime.datetime.combine(day, datetime.time(hour), PROVINCE_TZ)
    return start + datetime.timedelta(minutes=minutes_after)


def relay_sessions(station_ids: Sequence[str]) -> list[Item]:
    """The year's relay sessions (no LOCAL ones), as ``recordRelaySessions`` items."""
    days = _days()
    items: list[Item] = []
    for source, minutes in RELAY_MINUTES.items():
        for n, (day, length) in enumerate(zip(days, spread(minutes, len(days)), strict=True)):
            start = _at(day, RELAY_START_HOUR[source])
            items.append(
                {
                    "station_id": station_ids[n % len(station_ids)],
                    "source": source,
                    "started_at": start.isoformat(),
                    "ended_at": (start + datetime.timedelta(minutes=length)).isoformat(),
                }
            )
    return items


def programme_days() -> list[datetime.date]:
    """95 air dates spread over the year (roughly every fourth day)."""
    days = _days()
    step = len(days) / PROGRAMMES
    return [days[int(n * step)] for n in range(PROGRAMMES)]


def programmes() -> list[Item]:
    """The 95 programmes as ``recordProgramme`` bodies (producer: the district)."""
    news = spread(NEWS_ITEMS, PROGRAMMES)
    articles = spread(ARTICLES, PROGRAMMES)
    minutes = spread(LOCAL_MINUTES, PROGRAMMES)
    covid_news = spread(COVID_NEWS, PROGRAMMES)
    covid_articles = spread(COVID_ARTICLES, PROGRAMMES)
    segment_of: dict[int, list[str]] = {}
    cursor = 0
    for name, count in SEGMENTS.items():
        for _ in range(count):  # each segment on distinct programmes, 49 in all
            segment_of.setdefault(cursor % PROGRAMMES, []).append(name)
            cursor += 2
    out: list[Item] = []
    for n, day in enumerate(programme_days()):
        items = [
            {"kind": "news", "title": f"Tin {k + 1}", "topic": "Covid-19" if k < covid_news[n] else None}
            for k in range(news[n])
        ] + [
            {"kind": "article", "title": f"Bài {k + 1}", "topic": "Covid-19" if k < covid_articles[n] else None}
            for k in range(articles[n])
        ]
        out.append(
            {
                "unit_code": DISTRICT,
                "title": f"Chương trình phát thanh huyện Ba Bể số {n + 1}/{YEAR}",
                "air_date": day.isoformat(),
                "duration_seconds": minutes[n] * 60,
                "news_items": news[n],
                "articles": articles[n],
                "items": items,
                "segments": segment_of.get(n, []),
                "audio": {
                    "content_hash": "sha256:" + f"{YEAR:04d}{n:04d}".ljust(64, "0"),
                    "size_bytes": minutes[n] * 60 * 16_000,
                    "duration_seconds": minutes[n] * 60,
                    "uri": f"s3://ba-be-radio/{YEAR}/programme-{n + 1:03d}.mp3",
                },
            }
        )
    return out


def local_sessions(programme_ids: Sequence[str], station_ids: Sequence[str]) -> list[Item]:
    """Each programme aired once, as a LOCAL session on its air date, at a station in turn."""
    out: list[Item] = []
    for n, (programme_id, body) in enumerate(zip(programme_ids, programmes(), strict=True)):
        start = _at(datetime.date.fromisoformat(body["air_date"]), LOCAL_START_HOUR)
        out.append(
            {
                "station_id": station_ids[n % len(station_ids)],
                "source": "LOCAL",
                "started_at": start.isoformat(),
                "ended_at": (start + datetime.timedelta(seconds=body["duration_seconds"])).isoformat(),
                "programme_id": programme_id,
            }
        )
    return out


def deliveries(programme_id: str, air_date: str, station_ids: Sequence[str]) -> Item:
    """A programme sent to every station the evening before its air date, due at 17:00."""
    day = datetime.date.fromisoformat(air_date)
    return {
        "station_ids": list(station_ids),
        "sent_at": _at(day - datetime.timedelta(days=1), 20).isoformat(),
        "due_at": _at(day, LOCAL_START_HOUR).isoformat(),
    }


def outreach(commune_codes: Sequence[str]) -> tuple[list[Item], list[Item]]:
    """Outreach sessions and vehicle trips, at the communes in turn, spread over the year."""
    days = _days()
    sessions = [
        {"unit_code": commune_codes[n % len(commune_codes)], "held_on": days[(n * 4) % len(days)].isoformat()}
        for n in range(OUTREACH_SESSIONS)
    ]
    trips = [
        {"unit_code": DISTRICT, "made_on": days[(n * 8 + 3) % len(days)].isoformat(), "route": "Trung tâm huyện"}
        for n in range(VEHICLE_TRIPS)
    ]
    return sessions, trips
