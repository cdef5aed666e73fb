"""The metrics service's internal routes the gateway uses, one function per route; the bodies
and answers are the service's own wire shapes (``contracts.api.metrics``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from contracts.api.metrics import IndicatorDefinition, IndicatorValueView, RankingView, ReportValue, SetTarget
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters.internal import ServiceCaller

M = "metrics"

# Values are read as ``IndicatorValueView``: the fields GraphQL's ``IndicatorValue`` and the
# public ``/indicator-values`` answer show, which a value-changed event carries too.
ValuesKey = tuple[str, str, tuple[str, ...] | None]
"""(unit code, period, indicator codes or None for all): what one unit's ``indicators`` asks."""


async def indicators(caller: ServiceCaller, codes: Sequence[str] | None = None) -> list[IndicatorDefinition]:
    params = {"codes": ",".join(codes)} if codes else {}
    return await caller.get(M, "/indicators", params, list[IndicatorDefinition])


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


async def ranking(caller: ServiceCaller, index_code: str, period: str, level: str) -> list[RankingView]:
    params = {"index_code": index_code, "period": period, "level": level}
    return await caller.get(M, "/ranking", params, list[RankingView])


async def report_value(caller: ServiceCaller, body: ReportValue, key: str | None) -> CommandResult:
    return await caller.post(M, "/commands/values/report", body, CommandResult, idempotency_key=key)


async def set_target(caller: ServiceCaller, body: SetTarget, key: str | None) -> CommandResult:
    return await caller.post(M, "/commands/targets/set", body, CommandResult, idempotency_key=key)
