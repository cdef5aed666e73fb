"""Data approval (DHIS2's pattern) as an aggregate: pure decide/evolve.

A unit's values of one indicator set for one period are approved together, in the stream
``approval:<indicator_set>:<unit_id>:<period>``: submitted by the unit, approved by its
district, approved by the province, which locks them. A locked value refuses reports and
corrections (``values`` asks :func:`refuse_if_locked`) until the approval is reopened with a
reason, which sends it back to open. Every step names who took it and when.

An indicator set is the catalogue's ``group`` of an indicator (``telecom``, ``egov``...): the
groups are how the province's reporting forms are laid out, so one approval covers one form.

Who may take a step is given to the decision as the caller's :data:`Role` set for the unit,
worked out from the caller's scopes and unit by ``application.approvals``; the rule itself is
here: the unit submits, its district approves first, the province second; a step is reopened
by the level that took the last one, or by an administrator.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from contracts.base import Event
from contracts.metrics_events import (
    ApprovalLevel,
    ApprovalStatus,
    DataApproved,
    DataLocked,
    DataReopened,
    DataSubmitted,
)
from libs.common.errors import ConflictError, ForbiddenError, InvalidInputError
from libs.common.eventstore.decider import Decider
from libs.common.text import clean_text

Role = Literal["unit", "district", "province", "admin"]
"""What a caller is to a unit's approval: the unit (or a unit above it), the unit's district,
the province, or an administrator (any step)."""

MAX_REASON = 2000

NEXT: dict[ApprovalStatus, str] = {
    "open": "submit",
    "submitted": "approve at district level",
    "district_approved": "approve at province level",
    "locked": "reopen",
}
"""What the approval waits for in each status (named in an out-of-order refusal)."""

REOPENED_BY: dict[ApprovalStatus, Role] = {"submitted": "unit", "district_approved": "district", "locked": "province"}
"""Who took the step an approval is at, and so may reopen it (besides an administrator)."""


def approval_stream(indicator_set: str, unit_id: str, period: str) -> str:
    return f"approval:{indicator_set}:{unit_id}:{period}"


@dataclass(frozen=True, slots=True)
class ApprovalKey:
    indicator_set: str
    unit_id: str
    unit_code: str
    period: str


@dataclass(frozen=True, slots=True)
class Submit:
    by: str
    at: datetime.datetime


@dataclass(frozen=True, slots=True)
class Approve:
    level: ApprovalLevel
    by: str
    at: datetime.datetime


@dataclass(frozen=True, slots=True)
class Reopen:
    reason: str
    by: str
    at: datetime.datetime


Step = Submit | Approve | Reopen


@dataclass(frozen=True, slots=True)
class ApprovalCommand:
    key: ApprovalKey
    step: Step
    roles: frozenset[Role]


@dataclass(frozen=True, slots=True)
class Approval:
    status: ApprovalStatus = "open"

    @property
    def locked(self) -> bool:
        return self.status == "locked"


def _out_of_order(key: ApprovalKey, status: ApprovalStatus, step: str) -> ConflictError:
    return ConflictError(
        f"the {key.indicator_set} values of {key.unit_code} for {key.period} are {status.replace('_', ' ')}: "
        f"the next step is to {NEXT[status]}, not to {step}",
        code="approval_out_of_order",
        details={"status": status, "step": step, "next": NEXT[status]},
    )


def _not_yours(key: ApprovalKey, step: str, needs: Role) -> ForbiddenError:
    return ForbiddenError(
        f"to {step} the {key.indicator_set} values of {key.unit_code} takes the {needs} level's caller",
        code="approval_step_not_yours",
        details={"step": step, "needs": needs, "unit_code": key.unit_code},
    )


def _may(command: ApprovalCommand, step: str, needs: Role) -> None:
    if needs not in command.roles and "admin" not in command.roles:
        raise _not_yours(command.key, step, needs)


def decide(command: ApprovalCommand, state: Approval) -> Sequence[Event]:
    key, step = command.key, command.step
    ids = {"indicator_set": key.indicator_set, "unit_id": key.unit_id, "unit_code": key.unit_code, "period": key.period}
    match step:
        case Submit():
            _may(command, "submit", "unit")
            if state.status == "submitted":
                return []  # submitted again: nothing new
            if state.status != "open":
                raise _out_of_order(key, state.status, "submit")
            return [DataSubmitted(**ids, submitted_by=step.by, submitted_at=step.at)]
        case Approve(level="district"):
            _may(command, "approve at district level", "district")
            if state.status == "district_approved":
                return []
            if state.status != "submitted":
                raise _out_of_order(key, state.status, "approve at district level")
            return [DataApproved(**ids, level="district", approved_by=step.by, approved_at=step.at)]
        case Approve():
            _may(command, "approve at province level", "province")
            if state.status == "locked":
                return []
            if state.status != "district_approved":
                raise _out_of_order(key, state.status, "approve at province level")
            return [
                DataApproved(**ids, level="province", approved_by=step.by, approved_at=step.at),
                DataLocked(**ids, locked_at=step.at),
            ]
        case Reopen():
            if state.status == "open":
                raise _out_of_order(key, state.status, "reopen")
            _may(command, "reopen", REOPENED_BY[state.status])
            reason = clean_text(step.reason, field="reason", max_length=MAX_REASON)
            if not reason:
                raise InvalidInputError("reopening takes a reason", code="invalid_reason")
            return [
                DataReopened(
                    **ids, previous_status=state.status, reason=reason, reopened_by=step.by, reopened_at=step.at
                )
            ]
    raise AssertionError(step)  # pragma: no cover - the match covers every step


def evolve(state: Approval, event: Event) -> Approval:
    match event:
        case DataSubmitted():
            return replace(state, status="submitted")
        case DataApproved(level="district"):
            return replace(state, status="district_approved")
        case DataLocked():
            return replace(state, status="locked")
        case DataReopened():
            return replace(state, status="open")
    return state


APPROVAL: Decider[ApprovalCommand, Approval] = Decider("data_approval", Approval, evolve, decide)


def refuse_if_locked(state: Approval, key: ApprovalKey, indicator_code: str) -> None:
    """A report or correction of a value under a locked approval: 409 ``data_locked``."""
    if state.locked:
        raise ConflictError(
            f"{indicator_code} of {key.unit_code} for {key.period} is locked: its {key.indicator_set} values "
            "were approved by the province; reopen the approval to change it",
            code="data_locked",
            details={
                "indicator_code": indicator_code,
                "indicator_set": key.indicator_set,
                "unit_code": key.unit_code,
                "period": key.period,
            },
        )
