"""Base stations and fibre: the rules, without a database."""

from __future__ import annotations

import csv
from pathlib import Path

import msgspec
import pytest

from contracts.registry_events import BtsStationCommissioned, Coordinates, VillageFibreConnected
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from services.registry.domain.assets import PROVINCE_BOX, AssignOperator
from services.registry.domain.telecom import (
    BTS_STATION,
    VILLAGE_FIBRE,
    Bts,
    ChangeBtsTechnologies,
    CommissionBts,
    ConnectFibre,
    DecommissionBts,
    VillageFibre,
)
from services.registry.seed import reference
from tests.unit.registry.asset_fixtures import (
    CENTRE,
    COMMUNE,
    DISTRICT,
    UNKNOWN_ORGANISATION,
    VIETTEL,
    VILLAGE,
    VNPT,
    D,
    history,
    only,
)

COMMISSION = CommissionBts(
    bts_id="b",
    operator=VIETTEL,
    unit=COMMUNE,
    technologies=("4G", "3G", "4G"),
    as_of=D(2022, 5, 1),
    commissioned_on=D(2022, 5, 1),
)
BTS = history(BTS_STATION, COMMISSION)
# The packaged copy of ../shared/data (its README cites the source; test_seed_data checks the copy).
GEO = Path(reference.__file__).parent / "data" / reference.GEO_FILE


def test_a_base_station_carries_distinct_technologies_in_generation_order() -> None:
    event = only(BTS_STATION.decide(COMMISSION, Bts()))
    assert isinstance(event, BtsStationCommissioned)
    assert event.technologies == ["3G", "4G"]
    assert event.operator_id == "o-viettel"


def test_a_base_station_outside_any_commune_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        BTS_STATION.decide(msgspec.structs.replace(COMMISSION, unit=DISTRICT), Bts())
    assert caught.value.code == "outside_commune"


def test_a_base_station_without_technologies_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        BTS_STATION.decide(msgspec.structs.replace(COMMISSION, technologies=()), Bts())
    assert caught.value.code == "invalid_technologies"


def test_a_base_station_outside_the_province_box_is_refused() -> None:
    hanoi = Coordinates(latitude=21.03, longitude=105.85)
    with pytest.raises(InvalidInputError) as caught:
        BTS_STATION.decide(msgspec.structs.replace(COMMISSION, location=hanoi), Bts())
    assert caught.value.code == "outside_province"
    ba_be = Coordinates(latitude=22.405, longitude=105.727)
    assert only(BTS_STATION.decide(msgspec.structs.replace(COMMISSION, location=ba_be), Bts()))


def test_a_base_station_is_operated_by_a_known_telecom_operator() -> None:
    with pytest.raises(NotFoundError):
        BTS_STATION.decide(msgspec.structs.replace(COMMISSION, operator=UNKNOWN_ORGANISATION), Bts())
    with pytest.raises(InvalidInputError) as caught:
        BTS_STATION.decide(msgspec.structs.replace(COMMISSION, operator=CENTRE), Bts())
    assert caught.value.code == "invalid_operator"
    with pytest.raises(InvalidInputError):
        BTS_STATION.decide(AssignOperator(organisation=CENTRE, effective_on=D(2023, 1, 1)), BTS)


def test_a_decommissioning_before_the_commissioning_is_out_of_order() -> None:
    with pytest.raises(InvalidInputError) as caught:
        BTS_STATION.decide(DecommissionBts(effective_on=D(2022, 4, 30)), BTS)
    assert caught.value.code == "date_out_of_order"


def test_a_decommissioned_base_station_takes_no_technology_change() -> None:
    gone = history(BTS_STATION, COMMISSION, DecommissionBts(effective_on=D(2024, 1, 1)))
    with pytest.raises(ConflictError):
        BTS_STATION.decide(ChangeBtsTechnologies(technologies=("5G",), effective_on=D(2024, 2, 1)), gone)


def test_changing_to_the_same_technologies_changes_nothing() -> None:
    assert BTS_STATION.decide(ChangeBtsTechnologies(technologies=("4G", "3G"), effective_on=D(2023, 1, 1)), BTS) == []


def test_fibre_reaches_a_village_once_per_operator() -> None:
    connect = ConnectFibre(village=VILLAGE, operator=VNPT, connected_on=D(2022, 1, 10))
    event = only(VILLAGE_FIBRE.decide(connect, VillageFibre()))
    assert isinstance(event, VillageFibreConnected)
    reached = history(VILLAGE_FIBRE, connect)
    with pytest.raises(ConflictError) as caught:
        VILLAGE_FIBRE.decide(connect, reached)
    assert caught.value.code == "fibre_already_connected"
    assert only(VILLAGE_FIBRE.decide(msgspec.structs.replace(connect, operator=VIETTEL), reached))


def test_fibre_is_recorded_for_villages_only() -> None:
    with pytest.raises(InvalidInputError) as caught:
        VILLAGE_FIBRE.decide(ConnectFibre(village=COMMUNE, operator=VNPT, connected_on=D(2022, 1, 1)), VillageFibre())
    assert caught.value.code == "invalid_unit_level"


def test_the_province_box_is_the_union_of_the_district_boxes_in_the_reference_data() -> None:
    with GEO.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 8
    assert PROVINCE_BOX.min_lon == min(float(r["min_lon"]) for r in rows)
    assert PROVINCE_BOX.min_lat == min(float(r["min_lat"]) for r in rows)
    assert PROVINCE_BOX.max_lon == max(float(r["max_lon"]) for r in rows)
    assert PROVINCE_BOX.max_lat == max(float(r["max_lat"]) for r in rows)
