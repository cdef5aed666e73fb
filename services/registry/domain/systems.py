"""Information systems (hệ thống thông tin) of the province's agencies: who owns each, whether
the provincial data centre hosts it, and its approved information-security level (cấp độ
ATTT, 1-5). Each approval is kept; the latest one is the system's level. A system moves into
the data centre or out of it from a day; asking for the hosting it already has changes nothing
(a retry or a second clerk's entry), as a repeated approval does.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import msgspec

from contracts.base import Event
from contracts.registry_events import (
    AssetOperatorAssigned,
    InformationSystemHostingChanged,
    InformationSystemRegistered,
    SecurityLevelApproved,
)
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from libs.common.text import clean_name, clean_text
from services.registry.domain.assets import AssignOperator, assign_operator, latest, require_order

SECURITY_LEVELS = range(1, 6)


class InformationSystem(msgspec.Struct, frozen=True, kw_only=True):
    system_id: str = ""
    hosted_in_data_centre: bool = False
    security_level: int | None = None
    approved_on: datetime.date | None = None
    operator_id: str | None = None
    last_on: datetime.date | None = None

    @property
    def exists(self) -> bool:
        return bool(self.system_id)


def stream_id(system_id: str) -> str:
    return f"information_system-{system_id}"


class RegisterInformationSystem(msgspec.Struct, frozen=True, kw_only=True):
    system_id: str
    name: str
    owner_agency: str
    hosted_in_data_centre: bool


class ApproveSecurityLevel(msgspec.Struct, frozen=True, kw_only=True):
    level: int
    approved_on: datetime.date
    decision: str | None = None


class ChangeDataCentreHosting(msgspec.Struct, frozen=True, kw_only=True):
    hosted_in_data_centre: bool
    effective_on: datetime.date


SystemCommand = RegisterInformationSystem | ApproveSecurityLevel | ChangeDataCentreHosting | AssignOperator


def decide(command: SystemCommand, system: InformationSystem) -> Sequence[Event]:
    match command:
        case RegisterInformationSystem():
            if system.exists:
                raise ConflictError("the information system is already registered", code="duplicate_information_system")
            return [
                InformationSystemRegistered(
                    system_id=command.system_id,
                    name=clean_name(command.name),
                    owner_agency=clean_name(command.owner_agency, field="owner_agency"),
                    hosted_in_data_centre=command.hosted_in_data_centre,
                )
            ]
        case ApproveSecurityLevel():
            if not system.exists:
                raise NotFoundError("no such information system", code="unknown_information_system")
            if command.level not in SECURITY_LEVELS:
                raise InvalidInputError(
                    f"security level {command.level} is not one of 1-5", code="invalid_security_level"
                )
            require_order(system.approved_on, command.approved_on, what="the approval")
            decision = clean_text(command.decision, field="decision", max_length=200)
            if (command.level, command.approved_on) == (system.security_level, system.approved_on):
                return []
            return [
                SecurityLevelApproved(
                    system_id=system.system_id, level=command.level, approved_on=command.approved_on, decision=decision
                )
            ]
        case ChangeDataCentreHosting():
            if not system.exists:
                raise NotFoundError("no such information system", code="unknown_information_system")
            require_order(system.last_on, command.effective_on, what="the hosting change")
            if command.hosted_in_data_centre == system.hosted_in_data_centre:
                return []
            return [
                InformationSystemHostingChanged(
                    system_id=system.system_id,
                    hosted_in_data_centre=command.hosted_in_data_centre,
                    effective_on=command.effective_on,
                )
            ]
        case AssignOperator():
            return assign_operator(
                command,
                asset_id=system.system_id,
                kind="information_system",
                exists=system.exists,
                ended=False,
                operator_id=system.operator_id,
                not_before=system.last_on,
            )


def evolve(system: InformationSystem, event: Event) -> InformationSystem:
    match event:
        case InformationSystemRegistered():
            return InformationSystem(system_id=event.system_id, hosted_in_data_centre=event.hosted_in_data_centre)
        case SecurityLevelApproved():
            return msgspec.structs.replace(
                system,
                security_level=event.level,
                approved_on=event.approved_on,
                last_on=latest(system.last_on, event.approved_on),
            )
        case InformationSystemHostingChanged():
            return msgspec.structs.replace(
                system,
                hosted_in_data_centre=event.hosted_in_data_centre,
                last_on=latest(system.last_on, event.effective_on),
            )
        case AssetOperatorAssigned():
            return msgspec.structs.replace(
                system, operator_id=event.organisation_id, last_on=latest(system.last_on, event.effective_on)
            )
    return system


INFORMATION_SYSTEM: Decider[SystemCommand, InformationSystem] = Decider(
    stream_type="information_system", initial=InformationSystem, evolve=evolve, decide=decide
)
