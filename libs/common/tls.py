"""TLS client contexts from PEM files: the brokers' CA, and a client certificate for mutual TLS."""

from __future__ import annotations

import ssl


def client_context(*, cafile: str, certfile: str, keyfile: str, check_hostname: bool = True) -> ssl.SSLContext:
    """Verifies the server against ``cafile`` (else the system's trust store) and presents the
    client certificate when one is given. Raises ``OSError`` (``ssl.SSLError`` is one) for a
    file that is missing or unreadable, or a key that does not match its certificate."""
    context = ssl.create_default_context(cafile=cafile or None)
    context.check_hostname = check_hostname
    if certfile:
        context.load_cert_chain(certfile, keyfile or None)
    return context
