"""The metrics service's internal routes the gateway uses, one function per route; the bodies
and answers are the service's own wire shapes (``contracts.api.metrics``)."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Sequence

from contracts.api.metrics import (
    ApprovalView,
    ApproveData,
    CompletenessView,
    DefineIndicators,
    HistoryView,
    IndicatorDefinition,
    IndicatorValueView,
    RankingView,
    ReopenData,
    ReportValue,
    RetireIndicatorBody,
    SetTarget,
    SetThreshold,
    SubmitData,
    TimelinessView,
    ValueView,
)
from libs.common.errors import InvalidInputError
from libs.common.eventstore.results import CommandResult
from services.gateway.adapters.internal import ServiceCaller

M = "metrics"
VALUES_READ_MODEL = "metrics_values"
"""The metrics projection that reported values and targets are read from."""

INDICATOR_CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){0,5}$")
"""The catalogue's own rule for a code (``services.metrics.domain.catalogue``): checked before a
code goes into a path, where a slash or an encoded character would name another route."""


def path_code(code: str) -> str:
    if not INDICATOR_CODE.match(code):
        raise InvalidInputError(
            f"{code!r} is not an indicator code (dotted, lower case: radio.communes.ip_share)",
            code="validation",
            details={"code": code},
        )
    return code


# Values are read as ``IndicatorValueView``: the fields GraphQL's ``IndicatorValue`` and the
# public ``/indicator-values`` answer show, which a value-changed event carries too.
ValuesKey = tuple[str, str, tuple[str, ...] | None]
"""(unit code, period, indicator codes or None for all): what one unit's ``indicators`` asks."""


async def indicators(caller: ServiceCaller, codes: Sequence[str] | None = None) -> list[IndicatorDefinition]:
    params = {"codes": ",".join(codes)} if codes else {}
    return await caller.get(M, "/indicators", params, list[IndicatorDefinition])


async def values(
    caller: ServiceCaller,
    codes: Sequence[str],
    unit_codes: Sequence[str],
    period: str,
    *,
    as_of: datetime.date | None = None,
) -> list[IndicatorValueView]:
    params = {"codes": ",".join(codes), "unit_codes": ",".join(unit_codes), "period": period}
    if as_of:
        params["as_of"] = as_of.isoformat()
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
    caller: ServiceCaller,
    codes: Sequence[str],
    period: str,
    level: str,
    parent_code: str | None,
    *,
    as_of: datetime.date | None = None,
    group: str | None = None,
) -> list[IndicatorValueView]:
    """``as_of``: a day inside the period (a stock as of that day, a flow up to it)."""
    params = _at_level({"codes": ",".join(codes), "period": period}, level, parent_code, group)
    if as_of:
        params["as_of"] = as_of.isoformat()
    return await caller.get(M, "/values/at-level", params, list[IndicatorValueView])


def _at_level(params: dict[str, str], level: str, parent_code: str | None, group: str | None = None) -> dict[str, str]:
    """A query over the units of a level, under ``parent_code`` (its subtree) when given, and
    only the members of the unit group ``group`` when given (ADR 0056)."""
    params["level"] = level
    if parent_code:
        params["parent_code"] = parent_code
    if group:
        params["group_code"] = group_code(group)
    return params


def group_code(group: str) -> str:
    """A group's code as the registry keeps it (upper-case), so a cached answer asked with any
    case is dropped by the group's events, which carry it so (ADR 0048)."""
    return group.strip().upper()


async def ranking(
    caller: ServiceCaller,
    index_code: str,
    period: str,
    level: str,
    parent_code: str | None = None,
    *,
    group: str | None = None,
) -> list[RankingView]:
    params = _at_level({"index_code": index_code, "period": period}, level, parent_code, group)
    return await caller.get(M, "/ranking", params, list[RankingView])


async def group_values(
    caller: ServiceCaller, codes: Sequence[str], group: str, period: str, as_of: datetime.date | None = None
) -> list[ValueView]:
    """Each indicator for the unit group as a whole: its members' values rolled up (ADR 0056)."""
    params = {"codes": ",".join(codes), "group_code": group_code(group), "period": period}
    if as_of:
        params["as_of"] = as_of.isoformat()
    return await caller.get(M, "/values/group", params, list[ValueView])


async def value_history(caller: ServiceCaller, code: str, unit_code: str, period: str) -> list[HistoryView]:
    params = {"code": code, "unit_code": unit_code, "period": period}
    return await caller.get(M, "/values/history", params, list[HistoryView])


async def behind_target(
    caller: ServiceCaller, code: str, period: str, level: str, parent_code: str | None, *, group: str | None = None
) -> list[ValueView]:
    params = _at_level({"code": code, "period": period}, level, parent_code, group)
    return await caller.get(M, "/targets/behind", params, list[ValueView])


async def completeness(
    caller: ServiceCaller,
    codes: Sequence[str],
    period: str,
    level: str,
    parent_code: str | None,
    *,
    group: str | None = None,
) -> list[CompletenessView]:
    params = _at_level({"codes": ",".join(codes), "period": period}, level, parent_code, group)
    return await caller.get(M, "/completeness", params, list[CompletenessView])


async def timeliness(
    caller: ServiceCaller,
    codes: Sequence[str],
    period: str,
    level: str,
    parent_code: str | None,
    *,
    group: str | None = None,
) -> list[TimelinessView]:
    params = _at_level({"codes": ",".join(codes), "period": period}, level, parent_code, group)
    return await caller.get(M, "/timeliness", params, list[TimelinessView])


async def export_csv(
    caller: ServiceCaller,
    codes: Sequence[str],
    periods: Sequence[str],
    level: str,
    parent_code: str | None,
    *,
    group: str | None = None,
) -> bytes:
    """The service's CSV as it wrote it (UTF-8, a header row)."""
    params = _at_level({"codes": ",".join(codes), "periods": ",".join(periods)}, level, parent_code, group)
    return await caller.get_raw(M, "/export.csv", params)


async def report_value(caller: ServiceCaller, body: ReportValue, key: str | None) -> CommandResult:
    return await caller.post(M, "/commands/values/report", body, CommandResult, idempotency_key=key)


async def set_target(caller: ServiceCaller, body: SetTarget, key: str | None) -> CommandResult:
    return await caller.post(M, "/commands/targets/set", body, CommandResult, idempotency_key=key)


async def define_indicators(caller: ServiceCaller, body: DefineIndicators, key: str | None) -> CommandResult:
    return await caller.post(M, "/commands/catalogue/define", body, CommandResult, idempotency_key=key)


async def retire_indicator(
    caller: ServiceCaller, code: str, body: RetireIndicatorBody, key: str | None
) -> CommandResult:
    path = f"/commands/catalogue/{path_code(code)}/retire"
    return await caller.post(M, path, body, CommandResult, idempotency_key=key)


async def set_threshold(caller: ServiceCaller, body: SetThreshold, key: str | None) -> CommandResult:
    return await caller.post(M, "/commands/thresholds/set", body, CommandResult, idempotency_key=key)


async def remove_threshold(caller: ServiceCaller, code: str, key: str | None) -> CommandResult:
    path = f"/commands/thresholds/{path_code(code)}/remove"
    return await caller.post(M, path, None, CommandResult, idempotency_key=key, content=b"")


async def approval(caller: ServiceCaller, indicator_set: str, unit_code: str, period: str) -> ApprovalView:
    params = {"indicator_set": indicator_set, "unit_code": unit_code, "period": period}
    return await caller.get(M, "/approvals/one", params, ApprovalView)


async def approvals(
    caller: ServiceCaller, indicator_set: str, period: str, level: str, parent_code: str | None
) -> list[ApprovalView]:
    params = _at_level({"indicator_set": indicator_set, "period": period}, level, parent_code)
    return await caller.get(M, "/approvals", params, list[ApprovalView])


async def submit_data(caller: ServiceCaller, body: SubmitData, key: str | None) -> CommandResult:
    return await caller.post(M, "/commands/approvals/submit", body, CommandResult, idempotency_key=key)


async def approve_data(caller: ServiceCaller, body: ApproveData, key: str | None) -> CommandResult:
    return await caller.post(M, "/commands/approvals/approve", body, CommandResult, idempotency_key=key)


async def reopen_data(caller: ServiceCaller, body: ReopenData, key: str | None) -> CommandResult:
    return await caller.post(M, "/commands/approvals/reopen", body, CommandResult, idempotency_key=key)
