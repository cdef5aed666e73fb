"""Which host an anonymous caller is: the socket peer, or what trusted proxies say it is.

An anonymous caller's rate limit is keyed by its host, so a caller that could name its own
host could have a fresh bucket per request. ``X-Forwarded-For`` is therefore believed only
when the socket peer is one of ``TINHSO_TRUSTED_PROXIES`` (IPs and CIDRs; empty by default,
and then the peer is the client whatever the header says). Through trusted proxies the client
is the right-most address of the chain that is not itself a trusted proxy: each proxy appends
the peer it saw, so everything to the left of that address was written by the client.

The servers run uvicorn with its own proxy-header handling off (``libs.common.serve``): it
would otherwise rewrite the peer from the header for any loopback connection.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from litestar.types import Scope

from libs.common.settings import SettingsError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_HOPS = 32
"""Addresses of a chain looked at, from the right: a longer chain is a client padding it."""


class TrustedProxies:
    def __init__(self, networks: Iterable[Network] = ()) -> None:
        self._networks = tuple(networks)

    @classmethod
    def from_setting(cls, value: str) -> TrustedProxies:
        """``TINHSO_TRUSTED_PROXIES``: comma-separated IPs and CIDRs; ``SettingsError`` names a wrong one."""
        networks: list[Network] = []
        for item in (part.strip() for part in value.split(",")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise SettingsError(f"TINHSO_TRUSTED_PROXIES: {item!r} is neither an IP address nor a CIDR") from None
        return cls(networks)

    def trusts(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host.strip().strip("[]"))
        except ValueError:
            return False
        return any(address in network for network in self._networks)

    def client_host(self, scope: Scope) -> str | None:
        client = scope.get("client")
        peer = str(client[0]) if client else None
        if peer is None or not self._networks or not self.trusts(peer):
            return peer
        chain = [
            hop.strip()
            for name, value in scope["headers"]
            if name == b"x-forwarded-for"
            for hop in value.decode("latin-1").split(",")
        ]
        host = peer
        for hop in reversed(chain[-MAX_HOPS:]):
            if not hop:
                continue
            host = hop
            if not self.trusts(hop):
                break
        return host[:64]
