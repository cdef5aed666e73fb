"""Organisations that own or operate assets: telecom operators (VNPT, VIETTEL, MOBIFONE),
the post (VNPOST), a district culture/media centre, a commune. Authorization later decides
what a partner may write by the organisation it acts for.

A code is the organisation's stable short name, unique among organisations (the command
side's lookup enforces that across streams); codes are stored upper-case.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from contracts.base import Event
from contracts.registry_events import OrganisationKind, OrganisationRegistered, UnitLevel
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from libs.common.text import clean_name
from services.registry.domain.names import clean_code
from services.registry.domain.units import Unit

KINDS: tuple[OrganisationKind, ...] = ("telecom", "post", "district_centre", "commune", "province_agency", "other")
UNIT_LEVEL_OF_KIND: dict[OrganisationKind, UnitLevel] = {"district_centre": "district", "commune": "commune"}


class Organisation(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: str = ""
    code: str = ""
    name: str = ""
    kind: OrganisationKind = "other"
    unit_id: str | None = None

    @property
    def exists(self) -> bool:
        return bool(self.organisation_id)


def stream_id(organisation_id: str) -> str:
    return f"organisation-{organisation_id}"


def normalise_code(raw: str) -> str:
    return clean_code(raw).upper()


class RegisterOrganisation(msgspec.Struct, frozen=True, kw_only=True):
    organisation_id: str
    code: str
    name: str
    kind: OrganisationKind
    unit: Unit | None = None


def decide(command: RegisterOrganisation, state: Organisation) -> Sequence[Event]:
    if state.exists:
        raise ConflictError(f"organisation {state.code} is already registered", code="duplicate_organisation")
    if command.kind not in KINDS:
        raise InvalidInputError(f"unknown organisation kind {command.kind!r}", code="invalid_kind")
    wanted = UNIT_LEVEL_OF_KIND.get(command.kind)
    unit = command.unit
    if wanted is not None and unit is None:
        raise InvalidInputError(f"a {command.kind.replace('_', ' ')} names the {wanted} it is", code="unit_required")
    if unit is not None:
        if not unit.exists:
            raise NotFoundError("the organisation's unit was not found", code="unknown_unit")
        if wanted is not None and unit.level != wanted:
            raise InvalidInputError(
                f"a {command.kind.replace('_', ' ')} is a {wanted}, not a {unit.level} ({unit.code})",
                code="invalid_unit_level",
            )
    return [
        OrganisationRegistered(
            organisation_id=command.organisation_id,
            code=normalise_code(command.code),
            name=clean_name(command.name),
            kind=command.kind,
            unit_id=unit.unit_id if unit is not None else None,
        )
    ]


def evolve(state: Organisation, event: Event) -> Organisation:
    if isinstance(event, OrganisationRegistered):
        return Organisation(
            organisation_id=event.organisation_id,
            code=event.code,
            name=event.name,
            kind=event.kind,
            unit_id=event.unit_id,
        )
    return state


ORGANISATION: Decider[RegisterOrganisation, Organisation] = Decider(
    stream_type="organisation", initial=Organisation, evolve=evolve, decide=decide
)
