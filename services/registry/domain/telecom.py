"""Telecom infrastructure: base stations (trạm BTS) and fibre reaching villages.

A base station stands in a commune (one outside any commune is refused), is operated by a
telecom organisation, carries a non-empty subset of 2G/3G/4G/5G, and, when located, lies
inside the province. Fibre is recorded once per village and operator: the village's fibre
stream holds every operator that reached it, so the rule is checked within one stream.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.registry_events import (
    AssetOperatorAssigned,
    BtsStationCommissioned,
    BtsStationDecommissioned,
    BtsTechnologiesChanged,
    Coordinates,
    RadioTech,
    VillageFibreConnected,
)
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from services.registry.domain.assets import (
    PROVINCE_BOX,
    AssignOperator,
    assign_operator,
    clean_location,
    latest,
    require_order,
    require_organisation,
    require_unit,
)
from services.registry.domain.organisations import Organisation
from services.registry.domain.units import Unit

TECHNOLOGIES: tuple[RadioTech, ...] = ("2G", "3G", "4G", "5G")


def clean_technologies(raw: Sequence[str]) -> list[RadioTech]:
    """Distinct, in generation order; at least one."""
    unknown = sorted(set(raw) - set(TECHNOLOGIES))
    if unknown:
        raise InvalidInputError(
            f"unknown technologies {unknown}; use {list(TECHNOLOGIES)}", code="invalid_technologies"
        )
    if not raw:
        raise InvalidInputError("a base station carries at least one technology", code="invalid_technologies")
    return [t for t in TECHNOLOGIES if t in raw]


# --- base stations ------------------------------------------------------------------------


class Bts(msgspec.Struct, frozen=True, kw_only=True):
    bts_id: str = ""
    status: Literal["absent", "active", "decommissioned"] = "absent"
    operator_id: str | None = None
    unit_id: str = ""
    technologies: tuple[RadioTech, ...] = ()
    last_on: datetime.date | None = None


def bts_stream(bts_id: str) -> str:
    return f"bts_station-{bts_id}"


class CommissionBts(msgspec.Struct, frozen=True, kw_only=True):
    bts_id: str
    operator: Organisation
    unit: Unit
    technologies: tuple[str, ...]
    as_of: datetime.date
    location: Coordinates | None = None
    commissioned_on: datetime.date | None = None


class ChangeBtsTechnologies(msgspec.Struct, frozen=True, kw_only=True):
    technologies: tuple[str, ...]
    effective_on: datetime.date


class DecommissionBts(msgspec.Struct, frozen=True, kw_only=True):
    effective_on: datetime.date


BtsCommand = CommissionBts | ChangeBtsTechnologies | DecommissionBts | AssignOperator


def _require_bts(bts: Bts) -> None:
    if bts.status == "absent":
        raise NotFoundError("no such base station", code="unknown_bts_station")
    if bts.status == "decommissioned":
        raise ConflictError("the base station is decommissioned", code="asset_decommissioned")


def decide_bts(command: BtsCommand, bts: Bts) -> Sequence[Event]:
    match command:
        case CommissionBts():
            if bts.status != "absent":
                raise ConflictError("the base station is already commissioned", code="duplicate_bts_station")
            operator = require_organisation(command.operator, telecom=True)
            assert operator is not None
            unit = require_unit(
                command.unit, ("commune",), command.as_of, what="base station", level_code="outside_commune"
            )
            return [
                BtsStationCommissioned(
                    bts_id=command.bts_id,
                    operator_id=operator.organisation_id,
                    unit_id=unit.unit_id,
                    technologies=clean_technologies(command.technologies),
                    location=clean_location(command.location, within=PROVINCE_BOX),
                    commissioned_on=command.commissioned_on,
                )
            ]
        case ChangeBtsTechnologies():
            _require_bts(bts)
            require_order(bts.last_on, command.effective_on, what="the technology change")
            technologies = clean_technologies(command.technologies)
            if tuple(technologies) == bts.technologies:
                return []
            return [
                BtsTechnologiesChanged(bts_id=bts.bts_id, technologies=technologies, effective_on=command.effective_on)
            ]
        case DecommissionBts():
            _require_bts(bts)
            require_order(bts.last_on, command.effective_on, what="the decommissioning")
            return [BtsStationDecommissioned(bts_id=bts.bts_id, effective_on=command.effective_on)]
        case AssignOperator():
            if command.organisation.exists:
                require_organisation(command.organisation, telecom=True)
            return assign_operator(
                command,
                asset_id=bts.bts_id,
                kind="bts_station",
                exists=bts.status != "absent",
                ended=bts.status == "decommissioned",
                operator_id=bts.operator_id,
                not_before=bts.last_on,
            )


def evolve_bts(bts: Bts, event: Event) -> Bts:
    match event:
        case BtsStationCommissioned():
            return Bts(
                bts_id=event.bts_id,
                status="active",
                operator_id=event.operator_id,
                unit_id=event.unit_id,
                technologies=tuple(event.technologies),
                last_on=event.commissioned_on,
            )
        case BtsTechnologiesChanged():
            return msgspec.structs.replace(bts, technologies=tuple(event.technologies), last_on=event.effective_on)
        case BtsStationDecommissioned():
            return msgspec.structs.replace(bts, status="decommissioned", last_on=event.effective_on)
        case AssetOperatorAssigned():
            return msgspec.structs.replace(
                bts, operator_id=event.organisation_id, last_on=latest(bts.last_on, event.effective_on)
            )
    return bts


BTS_STATION: Decider[BtsCommand, Bts] = Decider(
    stream_type="bts_station", initial=Bts, evolve=evolve_bts, decide=decide_bts
)


# --- fibre reaching villages --------------------------------------------------------------


class VillageFibre(msgspec.Struct, frozen=True, kw_only=True):
    village_id: str = ""
    operator_ids: frozenset[str] = frozenset()


def fibre_stream(village_id: str) -> str:
    return f"village_fibre-{village_id}"


class ConnectFibre(msgspec.Struct, frozen=True, kw_only=True):
    village: Unit
    operator: Organisation
    connected_on: datetime.date


def decide_fibre(command: ConnectFibre, fibre: VillageFibre) -> Sequence[Event]:
    village = require_unit(command.village, ("village",), command.connected_on, what="fibre connection")
    operator = require_organisation(command.operator, telecom=True)
    assert operator is not None
    if operator.organisation_id in fibre.operator_ids:
        raise ConflictError(
            f"{operator.code}'s fibre already reaches village {village.code}",
            code="fibre_already_connected",
            details={"village_code": village.code, "operator_code": operator.code},
        )
    return [
        VillageFibreConnected(
            village_id=village.unit_id, operator_id=operator.organisation_id, connected_on=command.connected_on
        )
    ]


def evolve_fibre(fibre: VillageFibre, event: Event) -> VillageFibre:
    if isinstance(event, VillageFibreConnected):
        return VillageFibre(village_id=event.village_id, operator_ids=fibre.operator_ids | {event.operator_id})
    return fibre


VILLAGE_FIBRE: Decider[ConnectFibre, VillageFibre] = Decider(
    stream_type="village_fibre", initial=VillageFibre, evolve=evolve_fibre, decide=decide_fibre
)
