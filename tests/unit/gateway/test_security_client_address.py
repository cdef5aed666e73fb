"""Which host an anonymous caller is charged to: the peer, unless a trusted proxy says otherwise."""

from __future__ import annotations

from typing import Any

import pytest

from libs.common.settings import SettingsError
from services.gateway.security.client_address import TrustedProxies


def _scope(peer: str, *forwarded: str) -> Any:
    return {"type": "http", "client": (peer, 4711), "headers": [(b"x-forwarded-for", f.encode()) for f in forwarded]}


def test_without_trusted_proxies_the_peer_is_the_client_whatever_the_header_says() -> None:
    assert TrustedProxies.from_setting("").client_host(_scope("127.0.0.1", "203.0.113.9")) == "127.0.0.1"


def test_an_untrusted_peers_header_is_ignored() -> None:
    proxies = TrustedProxies.from_setting("10.0.0.0/8")
    assert proxies.client_host(_scope("198.51.100.1", "203.0.113.9")) == "198.51.100.1"


def test_through_trusted_proxies_the_right_most_untrusted_address_is_the_client() -> None:
    proxies = TrustedProxies.from_setting("10.0.0.0/8, 192.0.2.1, 2001:db8::/32")
    assert proxies.client_host(_scope("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.1.1.1")) == "198.51.100.7"
    # Two headers read as one chain, in order.
    assert proxies.client_host(_scope("192.0.2.1", "6.6.6.6", "198.51.100.8")) == "198.51.100.8"
    assert proxies.client_host(_scope("2001:db8::1", "2001:db9::5")) == "2001:db9::5"


def test_a_chain_of_trusted_proxies_only_names_its_left_most() -> None:
    proxies = TrustedProxies.from_setting("10.0.0.0/8")
    assert proxies.client_host(_scope("10.0.0.2", "10.0.0.9, 10.0.0.3")) == "10.0.0.9"
    assert proxies.client_host(_scope("10.0.0.2")) == "10.0.0.2"


def test_a_garbage_hop_is_not_a_proxy_and_is_cut_short() -> None:
    proxies = TrustedProxies.from_setting("10.0.0.0/8")
    assert proxies.client_host(_scope("10.0.0.2", "x" * 500)) == "x" * 64


def test_a_wrong_entry_is_a_settings_error_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match=r"TINHSO_TRUSTED_PROXIES: 'proxy\.example'"):
        TrustedProxies.from_setting("10.0.0.1, proxy.example")
