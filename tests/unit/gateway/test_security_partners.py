import pytest

from libs.common.errors import InvalidInputError
from services.gateway.security.partners import (
    Partner,
    normalise_name,
    normalise_organisation,
    normalise_scopes,
    normalise_unit_code,
)


def test_a_partner_acts_as_a_principal_with_its_scopes_organisation_and_unit() -> None:
    partner = Partner(name="vnpt-bac-kan", scopes=frozenset({"registry:write"}), organisation="VNPT", unit_code="066")
    principal = partner.principal()
    assert principal.partner == "vnpt-bac-kan"
    assert principal.subject == "partner:vnpt-bac-kan"
    assert principal.allows("registry:write")
    assert not principal.allows("broadcast:write")
    assert (principal.organisation, principal.unit_code) == ("VNPT", "066")


def test_names_are_lower_cased_and_checked() -> None:
    assert normalise_name("  VNPT-Bac-Kan ") == "vnpt-bac-kan"
    for bad in ["", "-x", "a b", "x" * 65, "tên"]:
        with pytest.raises(InvalidInputError):
            normalise_name(bad)


def test_only_known_scopes_are_accepted() -> None:
    assert normalise_scopes(["read", "registry:write"]) == {"read", "registry:write"}
    with pytest.raises(InvalidInputError, match="registry:delete"):
        normalise_scopes(["read", "registry:delete"])
    with pytest.raises(InvalidInputError):
        normalise_scopes([])


def test_organisations_are_upper_cased_like_registry_operator_codes() -> None:
    assert normalise_organisation("viettel") == "VIETTEL"
    assert normalise_organisation(None) is None
    assert normalise_organisation("  ") is None
    with pytest.raises(InvalidInputError):
        normalise_organisation("VN PT")
    assert normalise_unit_code(" 00058 ") == "00058"
    with pytest.raises(InvalidInputError):
        normalise_unit_code("00 58")
