# mypy: disallow-untyped-decorators=False
"""A programme's priority and content approval as GraphQL shows them (ADR 0052): the enums and
the approval's steps, built from ``contracts.api.broadcast_views`` with ``contract_type``."""

from __future__ import annotations

import enum

import strawberry

from contracts.api.broadcast_views import ApprovalStepView
from services.gateway.graphql.contract_types import FromContract, contract_type


@strawberry.enum(description="A bulletin's priority (Circular 39/2020/TT-BTTTT): EMERGENCY pre-empts a schedule.")
class BulletinPriority(enum.Enum):
    NORMAL = "normal"
    PRIORITY = "priority"
    EMERGENCY = "emergency"


@strawberry.enum(description="Where a programme's content stands: only APPROVED content is sent to stations.")
class ContentApproval(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISTRIBUTED = "distributed"


@strawberry.enum(description="A step of a programme's content approval.")
class ApprovalStepKind(enum.Enum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISTRIBUTED = "distributed"


@contract_type(
    ApprovalStepView,
    fields=("step", "at", "by", "note"),
    descriptions={
        "by": "The subject of the credential that took the step.",
        "note": "The submitter's or approver's note, or why the content was rejected.",
    },
    description="A step of a programme's content approval: who took it and when.",
)
class ProgrammeApprovalStep(FromContract[ApprovalStepView]):
    step: ApprovalStepKind
