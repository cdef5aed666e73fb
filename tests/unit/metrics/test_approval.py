"""Data approval as pure decisions: the order of the steps, who may take each, and the lock."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import pytest

from contracts.base import Event
from contracts.metrics_events import DataApproved, DataLocked, DataReopened, DataSubmitted
from libs.common.errors import ConflictError, DomainError, ForbiddenError, InvalidInputError
from services.metrics.domain import approval as a

KEY = a.ApprovalKey("telecom", "u-01864", "01864", "2025Q1")
AT = datetime.datetime(2025, 4, 3, 9, tzinfo=datetime.UTC)
COMMUNE: frozenset[a.Role] = frozenset({"unit"})
DISTRICT: frozenset[a.Role] = frozenset({"unit", "district"})
PROVINCE: frozenset[a.Role] = frozenset({"unit", "province"})
ADMIN: frozenset[a.Role] = frozenset({"admin"})
HISTORY: list[a.Step] = [a.Submit("c", AT), a.Approve("district", "d", AT), a.Approve("province", "p", AT)]
"""The steps to a lock, in order: a test takes the first few to reach a status."""


def _take(state: a.Approval, step: a.Step, roles: frozenset[a.Role]) -> tuple[a.Approval, Sequence[Event]]:
    events = a.decide(a.ApprovalCommand(KEY, step, roles), state)
    for event in events:
        state = a.evolve(state, event)
    return state, events


def _locked() -> a.Approval:
    state, _ = _take(a.Approval(), a.Submit("commune", AT), COMMUNE)
    state, _ = _take(state, a.Approve("district", "district", AT), DISTRICT)
    state, _ = _take(state, a.Approve("province", "province", AT), PROVINCE)
    return state


def test_submit_then_district_then_province_locks_naming_who_and_when() -> None:
    state, [submitted] = _take(a.Approval(), a.Submit("commune:01864", AT), COMMUNE)
    assert isinstance(submitted, DataSubmitted)
    assert (state.status, submitted.submitted_by, submitted.submitted_at) == ("submitted", "commune:01864", AT)
    state, [district] = _take(state, a.Approve("district", "district:061", AT), DISTRICT)
    assert isinstance(district, DataApproved)
    assert (state.status, district.level, district.approved_by) == ("district_approved", "district", "district:061")
    state, [province, locked] = _take(state, a.Approve("province", "province:stats", AT), PROVINCE)
    assert isinstance(province, DataApproved)
    assert isinstance(locked, DataLocked)
    assert (province.level, province.approved_by, locked.unit_code, locked.period) == (
        "province",
        "province:stats",
        "01864",
        "2025Q1",
    )
    assert state.locked


def test_the_same_step_again_is_nothing_new() -> None:
    state, _ = _take(a.Approval(), a.Submit("commune", AT), COMMUNE)
    assert _take(state, a.Submit("commune", AT), COMMUNE)[1] == []
    assert _take(_locked(), a.Approve("province", "province", AT), PROVINCE)[1] == []


@pytest.mark.parametrize(
    ("steps", "step", "status"),
    [
        (0, a.Approve("district", "d", AT), "open"),
        (0, a.Approve("province", "p", AT), "open"),
        (1, a.Approve("province", "p", AT), "submitted"),
        (2, a.Submit("c", AT), "district_approved"),
        (3, a.Approve("district", "d", AT), "locked"),
        (0, a.Reopen("why", "p", AT), "open"),
    ],
)
def test_a_step_out_of_order_is_a_conflict_naming_the_next_one(steps: int, step: a.Step, status: str) -> None:
    state = a.Approval()
    for taken in HISTORY[:steps]:
        state, _ = _take(state, taken, ADMIN)
    with pytest.raises(ConflictError) as refused:
        _take(state, step, ADMIN)
    assert refused.value.code == "approval_out_of_order"
    assert refused.value.details["status"] == status
    assert refused.value.details["next"] == a.NEXT[state.status]


@pytest.mark.parametrize(
    ("steps", "step", "roles", "needs"),
    [
        (0, a.Submit("x", AT), frozenset(), "unit"),
        (1, a.Approve("district", "x", AT), COMMUNE, "district"),
        (1, a.Approve("district", "x", AT), PROVINCE, "district"),
        (2, a.Approve("province", "x", AT), DISTRICT, "province"),
        (3, a.Reopen("a typo", "x", AT), DISTRICT, "province"),
        (2, a.Reopen("a typo", "x", AT), COMMUNE, "district"),
        (2, a.Reopen("a typo", "x", AT), PROVINCE, "district"),
    ],
)
def test_a_role_that_may_not_take_the_step_is_refused(
    steps: int, step: a.Step, roles: frozenset[a.Role], needs: str
) -> None:
    state = a.Approval()
    for taken in HISTORY[:steps]:
        state, _ = _take(state, taken, ADMIN)
    with pytest.raises(ForbiddenError) as refused:
        _take(state, step, roles)
    assert (refused.value.code, refused.value.details["needs"]) == ("approval_step_not_yours", needs)


def test_reopening_a_lock_takes_the_province_or_an_admin_and_a_reason_and_opens_it() -> None:
    with pytest.raises(InvalidInputError) as blank:
        _take(_locked(), a.Reopen("  ", "p", AT), PROVINCE)
    assert blank.value.code == "invalid_reason"
    state, [reopened] = _take(_locked(), a.Reopen(" Sai số liệu cáp quang ", "province:stats", AT), PROVINCE)
    assert isinstance(reopened, DataReopened)
    assert (reopened.previous_status, reopened.reason, reopened.reopened_by) == (
        "locked",
        "Sai số liệu cáp quang",
        "province:stats",
    )
    assert state.status == "open"
    assert _take(_locked(), a.Reopen("audit", "admin", AT), ADMIN)[0].status == "open"


def test_a_locked_approval_refuses_a_value_and_an_open_one_does_not() -> None:
    a.refuse_if_locked(a.Approval(), KEY, "telecom.fibre_km")
    a.refuse_if_locked(a.Approval("district_approved"), KEY, "telecom.fibre_km")
    with pytest.raises(DomainError) as refused:
        a.refuse_if_locked(_locked(), KEY, "telecom.fibre_km")
    assert isinstance(refused.value, ConflictError)
    assert refused.value.code == "data_locked"
    assert refused.value.details["indicator_set"] == "telecom"
