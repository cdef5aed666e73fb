"""Which browser origins may call the gateway (CORS), from ``TINHSO_GATEWAY_CORS_ORIGINS``.

Each origin is listed in full (scheme, host, port): a partner's web application is allowed by
name, and no wildcard is accepted, since an answer readable by every site is one no operator
means to give. Credentials are bearer tokens in ``Authorization``, which a page sends
explicitly, so cookies are never allowed (``Access-Control-Allow-Credentials`` is not sent):
a page on another site cannot borrow a user's session. The headers the API reads are allowed
(``Authorization``, ``Content-Type``, ``Idempotency-Key``, ``traceparent``), and those a
client needs to read back are exposed (the rate limit, ``Retry-After``, ``Location``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar.config.cors import CORSConfig

from libs.common.settings import SettingsError

ALLOWED_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "traceparent", "tracestate"]
EXPOSED_HEADERS = [
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "RateLimit-Policy",
    "Retry-After",
    "Location",
]
PREFLIGHT_CACHE_SECONDS = 600


def cors_config(origins: str) -> CORSConfig | None:
    """None when no origin is configured: browsers then refuse every cross-origin call."""
    listed = [origin.strip().rstrip("/") for origin in origins.split(",") if origin.strip()]
    if not listed:
        return None
    for origin in listed:
        _check(origin)
    return CORSConfig(
        allow_origins=listed,
        allow_methods=["GET", "POST"],
        allow_headers=ALLOWED_HEADERS,
        expose_headers=EXPOSED_HEADERS,
        allow_credentials=False,
        max_age=PREFLIGHT_CACHE_SECONDS,
    )


def _check(origin: str) -> None:
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path or parts.query or parts.fragment:
        raise SettingsError(
            f"TINHSO_GATEWAY_CORS_ORIGINS: {origin!r} is not an origin "
            "(expected scheme://host[:port], e.g. https://app.example.vn; no wildcard, no path)"
        )
