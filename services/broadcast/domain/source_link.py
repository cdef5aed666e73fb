"""How the aired results reach the source-information system's webhook (ADR 0054): the
signature a receiver checks and the pause before each retry.

The signature is HMAC-SHA256 of the request body with the shared secret, hex-encoded, in
``X-Tinhso-Signature`` as ``sha256=<hex>`` (the form GitHub's and Stripe's webhooks made
familiar); ``docs/source-link.md`` shows a receiver verifying it.
"""

from __future__ import annotations

import hashlib
import hmac
import random

SIGNATURE_HEADER = "X-Tinhso-Signature"
DELIVERY_HEADER = "X-Tinhso-Delivery-Id"
"""The result's ``delivery_id``, also in the body: a receiver drops one it has accepted before."""
SCHEME = "sha256="


def sign(secret: bytes, body: bytes) -> str:
    """The header's value for ``body``."""
    return SCHEME + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(sign(secret, body), header.strip())


def retry_delay(attempts: int, first: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds before attempt ``attempts + 1`` after ``attempts`` failed ones: exponential
    (``first``, doubling, at most ``cap``) with "equal jitter" (half fixed, half random), so
    results failed together do not all come back at the same moment."""
    ceiling = min(cap, first * 2 ** max(attempts - 1, 0))
    draw = (rng or random).random()
    return float(ceiling / 2 + draw * ceiling / 2)
