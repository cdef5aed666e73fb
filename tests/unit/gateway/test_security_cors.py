"""TINHSO_GATEWAY_CORS_ORIGINS names origins in full; anything else stops the gateway at start."""

import pytest

from libs.common.settings import SettingsError
from services.gateway.security.cors import cors_config


@pytest.mark.parametrize("origins", ["*", "https://app.example.vn/path", "app.example.vn", "ftp://x.vn", "https://"])
def test_a_wildcard_or_a_value_that_is_not_an_origin_is_refused_naming_the_variable(origins: str) -> None:
    with pytest.raises(SettingsError, match="TINHSO_GATEWAY_CORS_ORIGINS"):
        cors_config(origins)


def test_listed_origins_are_allowed_as_written_without_a_trailing_slash() -> None:
    config = cors_config(" https://app.vnpt.example.vn/ ,http://localhost:5173")
    assert config is not None
    assert config.allow_origins == ["https://app.vnpt.example.vn", "http://localhost:5173"]
    assert config.allow_credentials is False


def test_no_origin_means_no_cors() -> None:
    assert cors_config(" , ") is None
