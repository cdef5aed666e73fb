"""Label values callers choose are bounded, and the gateway's /metrics answers only direct scrapers."""

from __future__ import annotations

from typing import Any

import pytest

from libs.common.http.metrics import direct_scrape, scraper_networks
from libs.common.prometheus_metrics import MAX_OPERATION_NAMES, method_label, operation_label
from libs.common.settings import SettingsError


def test_a_method_a_client_made_up_is_counted_as_other() -> None:
    assert method_label("GET") == "GET"
    assert method_label("BREW") == "other"


def test_graphql_operation_names_are_bounded_and_well_formed() -> None:
    assert operation_label(None) == "anonymous"
    assert operation_label("Units") == "Units"
    assert operation_label("drop table; --") == "other"
    names = [operation_label(f"Flood{i}") for i in range(MAX_OPERATION_NAMES + 10)]
    assert names[-1] == "other"
    assert operation_label("Units") == "Units"  # one seen before the flood keeps its name


def _scope(peer: str, headers: list[tuple[bytes, bytes]] | None = None) -> Any:
    return {"client": (peer, 40000), "headers": headers or []}


def test_metrics_are_served_only_to_a_direct_caller_from_the_scrapers_networks() -> None:
    networks = scraper_networks("127.0.0.0/8, ::1, 10.42.0.0/16", "TINHSO_GATEWAY_METRICS_NETWORKS")
    assert direct_scrape(_scope("127.0.0.1"), networks)
    assert direct_scrape(_scope("10.42.3.7"), networks)
    assert not direct_scrape(_scope("203.0.113.7"), networks)
    assert not direct_scrape(_scope("10.42.3.7", [(b"x-forwarded-for", b"203.0.113.7")]), networks)
    assert not direct_scrape(_scope("testclient"), networks)


def test_a_wrong_scraper_network_names_the_setting() -> None:
    with pytest.raises(SettingsError, match="TINHSO_GATEWAY_METRICS_NETWORKS: 'ten' is neither"):
        scraper_networks("127.0.0.1,ten", "TINHSO_GATEWAY_METRICS_NETWORKS")
