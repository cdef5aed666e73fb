"""An information system's data-centre hosting changed after registration: the rules, without
a database."""

from __future__ import annotations

import pytest

from contracts.registry_events import InformationSystemHostingChanged
from libs.common.errors import InvalidInputError, NotFoundError
from services.registry.domain.systems import (
    INFORMATION_SYSTEM,
    ApproveSecurityLevel,
    ChangeDataCentreHosting,
    InformationSystem,
    RegisterInformationSystem,
)
from tests.unit.registry.asset_fixtures import D, history, only

OUTSIDE = RegisterInformationSystem(
    system_id="is", name="iOffice", owner_agency="Sở TT&TT", hosted_in_data_centre=False
)


def test_a_system_moves_into_the_data_centre_and_out_again() -> None:
    moved_in = only(
        INFORMATION_SYSTEM.decide(
            ChangeDataCentreHosting(hosted_in_data_centre=True, effective_on=D(2023, 1, 1)),
            history(INFORMATION_SYSTEM, OUTSIDE),
        )
    )
    assert moved_in == InformationSystemHostingChanged(
        system_id="is", hosted_in_data_centre=True, effective_on=D(2023, 1, 1)
    )
    hosted = history(
        INFORMATION_SYSTEM, OUTSIDE, ChangeDataCentreHosting(hosted_in_data_centre=True, effective_on=D(2023, 1, 1))
    )
    assert hosted.hosted_in_data_centre
    moved_out = only(
        INFORMATION_SYSTEM.decide(
            ChangeDataCentreHosting(hosted_in_data_centre=False, effective_on=D(2024, 1, 1)), hosted
        )
    )
    assert isinstance(moved_out, InformationSystemHostingChanged)
    assert not moved_out.hosted_in_data_centre


def test_asking_for_the_hosting_a_system_has_changes_nothing() -> None:
    registered = history(INFORMATION_SYSTEM, OUTSIDE)
    same = ChangeDataCentreHosting(hosted_in_data_centre=False, effective_on=D(2023, 1, 1))
    assert list(INFORMATION_SYSTEM.decide(same, registered)) == []
    hosted = history(
        INFORMATION_SYSTEM, OUTSIDE, ChangeDataCentreHosting(hosted_in_data_centre=True, effective_on=D(2023, 1, 1))
    )
    again = ChangeDataCentreHosting(hosted_in_data_centre=True, effective_on=D(2023, 6, 1))
    assert list(INFORMATION_SYSTEM.decide(again, hosted)) == []


def test_a_hosting_change_needs_a_registered_system() -> None:
    with pytest.raises(NotFoundError) as caught:
        INFORMATION_SYSTEM.decide(
            ChangeDataCentreHosting(hosted_in_data_centre=True, effective_on=D(2023, 1, 1)), InformationSystem()
        )
    assert caught.value.code == "unknown_information_system"


def test_a_hosting_change_before_the_systems_last_dated_change_is_out_of_order() -> None:
    approved = history(INFORMATION_SYSTEM, OUTSIDE, ApproveSecurityLevel(level=2, approved_on=D(2022, 8, 1)))
    with pytest.raises(InvalidInputError) as caught:
        INFORMATION_SYSTEM.decide(
            ChangeDataCentreHosting(hosted_in_data_centre=True, effective_on=D(2022, 7, 31)), approved
        )
    assert caught.value.code == "date_out_of_order"
