"""``liveCursor``: a client that takes it before loading its state and subscribes with it as
``after`` receives every event committed in between, on another gateway replica too, and
nothing from before it (the IOC console starts its feed this way, docs/adr/0035)."""

from __future__ import annotations

from tests.integration.gateway.api_fixtures import register_unit
from tests.integration.gateway.api_platform import Platform, platform
from tests.integration.gateway.test_subscriptions_resume import (
    another_gateway,
    receive,
    registered,
    subscribed,
    subscription,
)

__all__ = ["platform"]

UNITS = ["registry.unit_registered"]


async def test_a_feed_started_at_the_live_cursor_gets_what_was_committed_after_it_was_taken(
    platform: Platform,
) -> None:
    async with subscription(platform.ws_url, platform.keys["reader"], types=UNITS) as witness:
        await subscribed(platform, 1)
        await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
        await receive(witness, registered("06"))  # the hub has read past it
    cursor = (await platform.data("{ liveCursor }", who="reader"))["liveCursor"]
    assert cursor.startswith("c1.")
    # Committed after the cursor was taken and before anyone subscribed with it.
    await register_unit(platform, "061", "Huyện Ba Bể", "DISTRICT", "06")
    async with (
        another_gateway(platform) as (url, _),
        subscription(url, platform.keys["reader"], after=cursor, types=UNITS) as resumed,
    ):
        await register_unit(platform, "062", "Huyện Pác Nặm", "DISTRICT", "06")
        # Partitions interleave in any order: until both have come.
        events = await receive(resumed, lambda got: {"061", "062"} <= {e["data"]["code"] for e in got})
    assert sorted(e["data"]["code"] for e in events) == ["061", "062"]


async def test_the_live_cursor_needs_the_read_scope(platform: Platform) -> None:
    error = await platform.error("{ liveCursor }", who=None)
    assert error["extensions"]["code"] in {"UNAUTHENTICATED", "FORBIDDEN"}
