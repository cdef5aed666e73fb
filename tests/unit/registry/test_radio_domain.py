"""Radio stations and loudspeaker clusters: the rules, without a database."""

from __future__ import annotations

import msgspec
import pytest

from contracts.registry_events import (
    AssetOperatorAssigned,
    Coordinates,
    RadioStationRegistered,
    RadioStationStatusChanged,
    RadioStationUpgraded,
    SpeakerClusterDecommissioned,
    SpeakerClusterRegistered,
)
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from services.registry.domain.assets import AssignOperator
from services.registry.domain.radio_stations import (
    RADIO_STATION,
    ChangeStationStatus,
    RegisterStation,
    Station,
    UpgradeStation,
)
from services.registry.domain.speaker_clusters import SPEAKER_CLUSTER, Cluster, DecommissionCluster, RegisterCluster
from tests.unit.registry.asset_fixtures import (
    CENTRE,
    COMMUNE,
    MERGED_COMMUNE,
    OTHER_VILLAGE,
    UNKNOWN_ORGANISATION,
    VILLAGE,
    D,
    history,
    only,
)

INSTALLED = D(2021, 3, 1)


REGISTER = RegisterStation(station_id="s", unit=COMMUNE, technology="WIRED", as_of=INSTALLED, installed_on=INSTALLED)
STATION = history(RADIO_STATION, REGISTER)
CLUSTER = RegisterCluster(cluster_id="k", station=STATION, village=VILLAGE, as_of=INSTALLED, installed_on=D(2021, 6, 1))


def test_a_station_is_registered_at_a_commune_as_operational() -> None:
    event = only(RADIO_STATION.decide(msgspec.structs.replace(REGISTER, funding_source="  Quỹ từ thiện "), Station()))
    assert isinstance(event, RadioStationRegistered)
    assert event.unit_id == "c"
    assert event.funding_source == "Quỹ từ thiện"
    assert STATION.status == "OPERATIONAL"


def test_a_station_cannot_be_registered_at_a_village() -> None:
    with pytest.raises(InvalidInputError) as caught:
        RADIO_STATION.decide(msgspec.structs.replace(REGISTER, unit=VILLAGE), Station())
    assert caught.value.code == "invalid_unit_level"


def test_a_station_cannot_be_registered_at_a_commune_that_no_longer_exists_on_the_install_date() -> None:
    with pytest.raises(ConflictError) as caught:
        RADIO_STATION.decide(
            msgspec.structs.replace(REGISTER, unit=MERGED_COMMUNE, as_of=D(2025, 8, 1), installed_on=D(2025, 8, 1)),
            Station(),
        )
    assert caught.value.code == "unit_not_active"


def test_a_station_with_an_unknown_operator_is_refused() -> None:
    with pytest.raises(NotFoundError) as caught:
        RADIO_STATION.decide(msgspec.structs.replace(REGISTER, operator=UNKNOWN_ORGANISATION), Station())
    assert caught.value.code == "unknown_organisation"


def test_an_upgrade_keeps_the_previous_technology() -> None:
    event = only(RADIO_STATION.decide(UpgradeStation(technology="IP", upgraded_on=D(2022, 5, 1)), STATION))
    assert isinstance(event, RadioStationUpgraded)
    assert (event.previous_technology, event.technology) == ("WIRED", "IP")


def test_an_upgrade_dated_before_the_installation_is_out_of_order() -> None:
    with pytest.raises(InvalidInputError) as caught:
        RADIO_STATION.decide(UpgradeStation(technology="IP", upgraded_on=D(2020, 5, 1)), STATION)
    assert caught.value.code == "date_out_of_order"


def test_an_upgrade_to_the_same_technology_changes_nothing() -> None:
    assert RADIO_STATION.decide(UpgradeStation(technology="WIRED", upgraded_on=D(2022, 5, 1)), STATION) == []


def test_a_decommissioned_station_takes_no_more_changes() -> None:
    gone = history(RADIO_STATION, REGISTER, ChangeStationStatus(status="DECOMMISSIONED", effective_on=D(2023, 1, 1)))
    assert gone.status == "DECOMMISSIONED"
    with pytest.raises(ConflictError) as caught:
        RADIO_STATION.decide(ChangeStationStatus(status="OPERATIONAL", effective_on=D(2023, 2, 1)), gone)
    assert caught.value.code == "station_decommissioned"


def test_a_status_change_records_the_previous_status() -> None:
    event = only(
        RADIO_STATION.decide(ChangeStationStatus(status="DOWN", effective_on=D(2022, 1, 1), reason="Mất điện"), STATION)
    )
    assert isinstance(event, RadioStationStatusChanged)
    assert (event.previous_status, event.status, event.reason) == ("OPERATIONAL", "DOWN", "Mất điện")


def test_an_operator_is_assigned_once_and_reassigning_the_same_one_changes_nothing() -> None:
    event = only(RADIO_STATION.decide(AssignOperator(organisation=CENTRE, effective_on=D(2022, 1, 1)), STATION))
    assert isinstance(event, AssetOperatorAssigned)
    assert (event.asset_kind, event.organisation_id, event.previous_organisation_id) == (
        "radio_station",
        "o-centre",
        None,
    )
    assigned = RADIO_STATION.evolve(STATION, event)
    assert RADIO_STATION.decide(AssignOperator(organisation=CENTRE, effective_on=D(2022, 2, 1)), assigned) == []


def test_a_cluster_sits_in_a_village_of_its_stations_commune() -> None:
    event = only(
        SPEAKER_CLUSTER.decide(
            msgspec.structs.replace(CLUSTER, location=Coordinates(latitude=22.4, longitude=105.7)), Cluster()
        )
    )
    assert isinstance(event, SpeakerClusterRegistered)
    assert (event.station_id, event.village_id) == ("s", "v")


def test_a_cluster_in_a_village_of_another_commune_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        SPEAKER_CLUSTER.decide(msgspec.structs.replace(CLUSTER, village=OTHER_VILLAGE), Cluster())
    assert caught.value.code == "village_not_in_commune"


def test_a_cluster_cannot_sit_in_a_commune_instead_of_a_village() -> None:
    with pytest.raises(InvalidInputError) as caught:
        SPEAKER_CLUSTER.decide(msgspec.structs.replace(CLUSTER, village=COMMUNE), Cluster())
    assert caught.value.code == "invalid_unit_level"


def test_a_cluster_needs_a_station_in_service() -> None:
    with pytest.raises(NotFoundError):
        SPEAKER_CLUSTER.decide(msgspec.structs.replace(CLUSTER, station=Station()), Cluster())
    gone = msgspec.structs.replace(STATION, status="DECOMMISSIONED")
    with pytest.raises(ConflictError):
        SPEAKER_CLUSTER.decide(msgspec.structs.replace(CLUSTER, station=gone), Cluster())


def test_a_cluster_installed_before_its_station_is_out_of_order() -> None:
    with pytest.raises(InvalidInputError) as caught:
        SPEAKER_CLUSTER.decide(msgspec.structs.replace(CLUSTER, installed_on=D(2020, 1, 1)), Cluster())
    assert caught.value.code == "date_out_of_order"


def test_a_cluster_with_impossible_coordinates_is_refused() -> None:
    with pytest.raises(InvalidInputError) as caught:
        SPEAKER_CLUSTER.decide(
            msgspec.structs.replace(CLUSTER, location=Coordinates(latitude=122.4, longitude=105.7)), Cluster()
        )
    assert caught.value.code == "invalid_coordinates"


def test_a_cluster_is_decommissioned_once_and_not_before_it_was_installed() -> None:
    cluster = history(SPEAKER_CLUSTER, CLUSTER)
    with pytest.raises(InvalidInputError) as caught:
        SPEAKER_CLUSTER.decide(DecommissionCluster(effective_on=D(2021, 5, 31)), cluster)
    assert caught.value.code == "date_out_of_order"
    event = only(SPEAKER_CLUSTER.decide(DecommissionCluster(effective_on=D(2024, 1, 1)), cluster))
    assert isinstance(event, SpeakerClusterDecommissioned)
    assert event.station_id == "s"
    with pytest.raises(ConflictError):
        SPEAKER_CLUSTER.decide(DecommissionCluster(effective_on=D(2024, 2, 1)), SPEAKER_CLUSTER.evolve(cluster, event))
