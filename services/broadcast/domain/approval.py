"""Content approval of a programme: draft -> submitted -> approved | rejected -> distributed.

Grassroots radio airs only content its responsible head has approved (Circular 39/2020/TT-BTTTT;
2455/BTTTT-TTCS for bulletins from the source-information system). Each step says who and when.
A rejected programme may be corrected and submitted again; an approved one is distributed when
it is first sent to stations. Who may approve is the application's rule (it needs the registry's
unit tree); these are the transitions.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import msgspec

from contracts.api.broadcast_views import ApprovalState
from contracts.base import Event
from contracts.broadcast_events import (
    Priority,
    ProgrammeApproved,
    ProgrammeDistributed,
    ProgrammeRejected,
    ProgrammeSubmitted,
)
from libs.common.errors import ConflictError
from services.broadcast.domain.common import aware, optional_name, required_text

SENDABLE: tuple[ApprovalState, ...] = ("approved", "distributed")


class Submit(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime.datetime
    by: str
    note: str | None = None


class Approve(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime.datetime
    by: str
    note: str | None = None


class Reject(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime.datetime
    by: str
    reason: str


class Distribute(msgspec.Struct, frozen=True, kw_only=True):
    at: datetime.datetime
    by: str


ApprovalCommand = Submit | Approve | Reject | Distribute


def require_sendable(programme_id: str, state: ApprovalState) -> None:
    """Refuse (409) sending content that is not approved."""
    if state == "rejected":
        raise ConflictError(
            "the programme's content was rejected: correct it and submit it again",
            code="programme_rejected",
            details={"programme_id": programme_id},
        )
    if state not in SENDABLE:
        raise ConflictError(
            "only approved content is sent to stations",
            code="programme_not_approved",
            details={"programme_id": programme_id, "approval": state},
        )


def decide_approval(
    command: ApprovalCommand, *, programme_id: str, unit_code: str, state: ApprovalState, priority: Priority
) -> Sequence[Event]:
    match command:
        case Submit():
            if state == "submitted":
                raise ConflictError("the programme is already submitted", code="already_submitted")
            if state not in ("draft", "rejected"):
                raise ConflictError(
                    f"an {state} programme is not submitted again", code="already_decided", details={"approval": state}
                )
            return [
                ProgrammeSubmitted(
                    programme_id=programme_id,
                    unit_code=unit_code,
                    submitted_at=aware(command.at, field="submitted_at"),
                    submitted_by=command.by,
                    note=optional_name(command.note, field="note"),
                )
            ]
        case Approve() | Reject():
            if state == "draft":
                raise ConflictError(
                    "the programme is not submitted for approval", code="not_submitted", details={"approval": state}
                )
            if state != "submitted":
                raise ConflictError(
                    f"the programme is already {state}", code="already_decided", details={"approval": state}
                )
            if isinstance(command, Approve):
                return [
                    ProgrammeApproved(
                        programme_id=programme_id,
                        unit_code=unit_code,
                        approved_at=aware(command.at, field="approved_at"),
                        approved_by=command.by,
                        note=optional_name(command.note, field="note"),
                    )
                ]
            return [
                ProgrammeRejected(
                    programme_id=programme_id,
                    unit_code=unit_code,
                    rejected_at=aware(command.at, field="rejected_at"),
                    rejected_by=command.by,
                    reason=required_text(command.reason, field="reason"),
                )
            ]
        case Distribute():
            require_sendable(programme_id, state)
            if state == "distributed":
                return []
            return [
                ProgrammeDistributed(
                    programme_id=programme_id,
                    unit_code=unit_code,
                    distributed_at=aware(command.at, field="distributed_at"),
                    distributed_by=command.by,
                    priority=priority,
                )
            ]


def next_state(state: ApprovalState, event: Event) -> ApprovalState:
    match event:
        case ProgrammeSubmitted():
            return "submitted"
        case ProgrammeApproved():
            return "approved"
        case ProgrammeRejected():
            return "rejected"
        case ProgrammeDistributed():
            return "distributed"
    return state
