"""The gateway's pooled client to the services lets an idle connection go before the services'
servers close it, so no call is sent on a connection being closed under it."""

from __future__ import annotations

import uvicorn
from litestar import Litestar

from services.gateway.adapters.internal import POOL


def test_an_idle_connection_is_dropped_before_the_service_closes_it() -> None:
    """Failed before the fix: both were 5 s, and a call sent on a connection the server was
    closing at that moment failed with a ReadError (a partner's spurious ``service_unavailable``)."""
    server = uvicorn.Config(Litestar())  # the services' servers keep uvicorn's keep-alive (libs/common/serve.py)
    assert POOL.keepalive_expiry is not None
    assert POOL.keepalive_expiry < server.timeout_keep_alive
