"""Organisations, postal points, video endpoints, hotspots and information systems: the
rules, without a database."""

from __future__ import annotations

import msgspec
import pytest

from contracts.registry_events import OrganisationRegistered, PostalPointOpened, SecurityLevelApproved
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from services.registry.domain.assets import AssignOperator
from services.registry.domain.facilities import (
    POSTAL_POINT,
    VIDEO_ENDPOINT,
    WIFI_HOTSPOT,
    ClosePostalPoint,
    Facility,
    OpenPostalPoint,
    RegisterVideoEndpoint,
    RegisterWifiHotspot,
)
from services.registry.domain.organisations import ORGANISATION, Organisation, RegisterOrganisation
from services.registry.domain.systems import (
    INFORMATION_SYSTEM,
    ApproveSecurityLevel,
    InformationSystem,
    RegisterInformationSystem,
)
from tests.unit.registry.asset_fixtures import COMMUNE, DISTRICT, PROVINCE, VILLAGE, VNPT, D, history, only


def test_an_organisation_code_is_stored_upper_case() -> None:
    event = only(
        ORGANISATION.decide(
            RegisterOrganisation(organisation_id="o", code=" viettel ", name="Viettel Bắc Kạn", kind="telecom"),
            Organisation(),
        )
    )
    assert isinstance(event, OrganisationRegistered)
    assert event.code == "VIETTEL"


def test_a_district_centre_is_a_district() -> None:
    centre = RegisterOrganisation(organisation_id="o", code="TTVH", name="Trung tâm", kind="district_centre")
    with pytest.raises(InvalidInputError) as caught:
        ORGANISATION.decide(centre, Organisation())
    assert caught.value.code == "unit_required"
    with pytest.raises(InvalidInputError) as caught:
        ORGANISATION.decide(msgspec.structs.replace(centre, unit=COMMUNE), Organisation())
    assert caught.value.code == "invalid_unit_level"
    assert only(ORGANISATION.decide(msgspec.structs.replace(centre, unit=DISTRICT), Organisation()))


def test_a_postal_point_keeps_its_vietnamese_name_and_closes_once() -> None:
    opened = OpenPostalPoint(
        point_id="pp", unit=COMMUNE, name="Điểm BĐVHX  Bành Trạch", as_of=D(2020, 5, 1), opened_on=D(2020, 5, 1)
    )
    event = only(POSTAL_POINT.decide(opened, Facility()))
    assert isinstance(event, PostalPointOpened)
    assert event.name == "Điểm BĐVHX Bành Trạch"
    point = history(POSTAL_POINT, opened)
    with pytest.raises(InvalidInputError) as caught:
        POSTAL_POINT.decide(ClosePostalPoint(effective_on=D(2020, 4, 1)), point)
    assert caught.value.code == "date_out_of_order"
    closed = history(POSTAL_POINT, opened, ClosePostalPoint(effective_on=D(2022, 12, 31)))
    with pytest.raises(ConflictError):
        POSTAL_POINT.decide(ClosePostalPoint(effective_on=D(2023, 1, 1)), closed)


def test_a_postal_point_is_not_registered_at_the_province_itself() -> None:
    with pytest.raises(InvalidInputError):
        POSTAL_POINT.decide(
            OpenPostalPoint(point_id="pp", unit=PROVINCE, name="Bưu điện", as_of=D(2021, 1, 1)), Facility()
        )


def test_a_video_endpoint_may_be_at_the_province() -> None:
    assert only(
        VIDEO_ENDPOINT.decide(RegisterVideoEndpoint(endpoint_id="e", unit=PROVINCE, as_of=D(2021, 1, 1)), Facility())
    )


def test_an_operator_can_be_assigned_to_a_hotspot() -> None:
    hotspot = history(WIFI_HOTSPOT, RegisterWifiHotspot(hotspot_id="h", unit=VILLAGE, as_of=D(2023, 3, 1)))
    assert only(WIFI_HOTSPOT.decide(AssignOperator(organisation=VNPT, effective_on=D(2023, 4, 1)), hotspot))


def test_an_operator_cannot_be_assigned_to_an_asset_that_does_not_exist() -> None:
    with pytest.raises(NotFoundError) as caught:
        VIDEO_ENDPOINT.decide(AssignOperator(organisation=VNPT, effective_on=D(2023, 4, 1)), Facility())
    assert caught.value.code == "unknown_video_endpoint"


SYSTEM = history(
    INFORMATION_SYSTEM,
    RegisterInformationSystem(system_id="is", name="iOffice", owner_agency="Sở TT&TT", hosted_in_data_centre=True),
)


def test_a_security_level_is_between_one_and_five() -> None:
    for level in (0, 6):
        with pytest.raises(InvalidInputError) as caught:
            INFORMATION_SYSTEM.decide(ApproveSecurityLevel(level=level, approved_on=D(2022, 8, 1)), SYSTEM)
        assert caught.value.code == "invalid_security_level"
    event = only(
        INFORMATION_SYSTEM.decide(
            ApproveSecurityLevel(level=3, approved_on=D(2022, 8, 1), decision="QĐ 1234/QĐ-UBND"), SYSTEM
        )
    )
    assert isinstance(event, SecurityLevelApproved)


def test_an_approval_before_the_last_one_is_out_of_order() -> None:
    approved = history(
        INFORMATION_SYSTEM,
        RegisterInformationSystem(system_id="is", name="iOffice", owner_agency="Sở TT&TT", hosted_in_data_centre=True),
        ApproveSecurityLevel(level=2, approved_on=D(2022, 8, 1)),
    )
    with pytest.raises(InvalidInputError) as caught:
        INFORMATION_SYSTEM.decide(ApproveSecurityLevel(level=3, approved_on=D(2021, 8, 1)), approved)
    assert caught.value.code == "date_out_of_order"


def test_a_security_level_needs_a_registered_system() -> None:
    with pytest.raises(NotFoundError):
        INFORMATION_SYSTEM.decide(ApproveSecurityLevel(level=2, approved_on=D(2022, 8, 1)), InformationSystem())
