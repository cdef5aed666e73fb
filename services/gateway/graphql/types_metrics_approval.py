# mypy: disallow-untyped-decorators=False
"""Data approval through the gateway (ADR 0055): where a unit's values of an indicator set for a
period stand (open, submitted, approved by the district, locked), with every step's who and
when, built from the metrics service's contract shapes; the inputs of its three mutations; and
the Relay connection that pages a district's communes."""

from __future__ import annotations

import enum

import strawberry

from contracts.api.metrics import ApprovalStepView, ApprovalView
from services.gateway.graphql.contract_types import FromContract, contract_type
from services.gateway.graphql.inputs import KEY_HELP
from services.gateway.graphql.offset_pages import OffsetPage
from services.gateway.graphql.scalars import Period
from services.gateway.graphql.types_units import PageInfo

SET_HELP = "The catalogue's group of the indicators: telecom, egov, citizens, economy..."


@strawberry.enum(description="Where a unit's values stand: OPEN takes reports; LOCKED refuses them until reopened.")
class DataApprovalStatus(enum.Enum):
    OPEN = "open"
    SUBMITTED = "submitted"
    DISTRICT_APPROVED = "district_approved"
    LOCKED = "locked"


@strawberry.enum(description="One step of an approval.")
class DataApprovalStepName(enum.Enum):
    SUBMITTED = "submitted"
    DISTRICT_APPROVED = "district_approved"
    PROVINCE_APPROVED = "province_approved"
    LOCKED = "locked"
    REOPENED = "reopened"


@strawberry.enum(description="Who approves: the unit's district first, then the province (which locks the values).")
class DataApprovalLevel(enum.Enum):
    DISTRICT = "district"
    PROVINCE = "province"


@contract_type(
    ApprovalStepView,
    fields=("step", "by", "at", "reason"),
    descriptions={
        "by": "The caller's subject; null for the lock, which follows the province's approval.",
        "reason": "Why it was reopened.",
    },
    description="One step of a data approval: what, who, when.",
)
class DataApprovalStep(FromContract[ApprovalStepView]):
    step: DataApprovalStepName


@contract_type(
    ApprovalView,
    fields=("indicator_set", "unit_code", "unit_name", "period", "status", "steps"),
    descriptions={
        "indicator_set": SET_HELP,
        "steps": "Every step taken, oldest first.",
    },
    description="A unit's values of an indicator set for a period in their approval (DHIS2's data approval).",
)
class DataApproval(FromContract[ApprovalView]):
    period: Period
    status: DataApprovalStatus


@strawberry.type
class DataApprovalEdge:
    node: DataApproval
    cursor: str


@strawberry.type
class DataApprovalConnection:
    edges: list[DataApprovalEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, page: OffsetPage[ApprovalView]) -> DataApprovalConnection:
        pairs = zip(page.items, page.cursors, strict=True)
        edges = [DataApprovalEdge(node=DataApproval.of(v), cursor=c) for v, c in pairs]
        info = PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor)
        return cls(edges=edges, page_info=info, total_count=page.total_count)


@strawberry.input(description="Submit a unit's values of an indicator set for a period for approval.")
class SubmitDataInput:
    indicator_set: str = strawberry.field(description=SET_HELP)
    unit_code: str
    period: Period
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input(description="Approve submitted values: at DISTRICT level, then at PROVINCE level (which locks them).")
class ApproveDataInput:
    indicator_set: str = strawberry.field(description=SET_HELP)
    unit_code: str
    period: Period
    level: DataApprovalLevel
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input(description="Reopen an approval, with the reason: its values take reports and corrections again.")
class ReopenDataInput:
    indicator_set: str = strawberry.field(description=SET_HELP)
    unit_code: str
    period: Period
    reason: str
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)
