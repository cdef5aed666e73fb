"""The metrics service's internal routes the gateway uses, one function per route."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence

import msgspec

from services.gateway.adapters.internal import ServiceCaller

M = "metrics"

ValuesKey = tuple[str, str, tuple[str, ...] | None]
"""(unit code, period, indicator codes or None for all): what one unit's ``indicators`` asks."""


class IndicatorView(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name_vi: str
    name_en: str
    unit: str
    description: str | None = None


class IndicatorValueView(msgspec.Struct, frozen=True, kw_only=True):
    """A value as the metrics service answers it (and as its value-changed event carries it)."""

    indicator_code: str
    unit_id: str
    unit_code: str
    period: str
    value: float | None
    target: float | None = None
    source: str = "reported"
    as_of: datetime.datetime


class RankingRow(msgspec.Struct, frozen=True, kw_only=True):
    rank: int
    score: float | None
    value: IndicatorValueView


class CommandResult(msgspec.Struct, frozen=True, kw_only=True):
    stream_id: str
    version: int
    replayed: bool = False


async def indicators(caller: ServiceCaller, codes: Sequence[str] | None = None) -> list[IndicatorView]:
    params = {"codes": ",".join(codes)} if codes else {}
    return await caller.get(M, "/indicators", params, list[IndicatorView])


async def values(
    caller: ServiceCaller, codes: Sequence[str], unit_codes: Sequence[str], period: str
) -> list[IndicatorValueView]:
    params = {"codes": ",".join(codes), "unit_codes": ",".join(unit_codes), "period": period}
    return await caller.get(M, "/values", params, list[IndicatorValueView])


async def values_for(
    caller: ServiceCaller, keys: Sequence[ValuesKey], all_codes: Sequence[str]
) -> list[list[IndicatorValueView]]:
    """One call per distinct (period, codes) among the keys: a query level asks one of each."""
    groups: dict[tuple[str, tuple[str, ...] | None], list[str]] = defaultdict(list)
    for unit_code, period, codes in keys:
        groups[(period, codes)].append(unit_code)
    found: dict[ValuesKey, list[IndicatorValueView]] = defaultdict(list)
    for (period, codes), unit_codes in groups.items():
        wanted = codes if codes is not None else tuple(all_codes)
        if not wanted:
            continue
        for value in await values(caller, wanted, list(dict.fromkeys(unit_codes)), period):
            found[(value.unit_code, period, codes)].append(value)
    return [found.get(key, []) for key in keys]


async def values_at_level(
    caller: ServiceCaller, codes: Sequence[str], period: str, level: str, parent_code: str | None
) -> list[IndicatorValueView]:
    params = {"codes": ",".join(codes), "period": period, "level": level}
    if parent_code:
        params["parent_code"] = parent_code
    return await caller.get(M, "/values/at-level", params, list[IndicatorValueView])


async def ranking(caller: ServiceCaller, index_code: str, period: str, level: str) -> list[RankingRow]:
    params = {"index_code": index_code, "period": period, "level": level}
    return await caller.get(M, "/ranking", params, list[RankingRow])


async def report_value(caller: ServiceCaller, body: object, key: str | None) -> CommandResult:
    return await caller.post(M, "/commands/values/report", body, CommandResult, idempotency_key=key)


async def set_target(caller: ServiceCaller, body: object, key: str | None) -> CommandResult:
    return await caller.post(M, "/commands/targets/set", body, CommandResult, idempotency_key=key)
