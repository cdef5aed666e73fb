"""Posts one aired result to the source-information system's webhook (ADR 0054), signed.

httpx, already the platform's HTTP client: one ``AsyncClient`` per webhook loop, its
connections kept between posts. Any answer but a 2xx, and any transport error, is a refusal the
caller retries later.
"""

from __future__ import annotations

import httpx
import msgspec

from contracts.api.source_link import SourceResult
from services.broadcast.domain.source_link import DELIVERY_HEADER, SIGNATURE_HEADER, sign

_encoder = msgspec.json.Encoder()


class WebhookClient:
    def __init__(self, client: httpx.AsyncClient, url: str, secret: str) -> None:
        self.client = client
        self.url = url
        self.secret = secret.encode()

    async def post(self, result: SourceResult) -> str | None:
        """``None`` when the receiver accepted it, else what went wrong."""
        body = _encoder.encode(result)
        headers = {
            "content-type": "application/json",
            SIGNATURE_HEADER: sign(self.secret, body),
            DELIVERY_HEADER: result.delivery_id,
        }
        try:
            response = await self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}"
        if response.is_success:
            return None
        return f"HTTP {response.status_code}"
