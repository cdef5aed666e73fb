"""Loads the Ba Bể 2022 dataset (``ba_be_2022``) through the broadcast service's commands.

It takes the command sender as a function (``await send(path, body)`` answering the command's
JSON result), so the same steps run through a test client, an HTTP client against a running
service, or any other transport: the data always goes through the service's own rules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from services.broadcast.seed import ba_be_2022

Send = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
BATCH = 500


async def load_ba_be_2022(send: Send, stations_by_commune: Mapping[str, str]) -> dict[str, int]:
    """``stations_by_commune``: commune code -> the registry's station id, for Ba Bể's communes.
    Returns how many of each thing were recorded."""
    communes = sorted(stations_by_commune)
    stations = [stations_by_commune[c] for c in communes]
    relays = ba_be_2022.relay_sessions(stations)
    for start in range(0, len(relays), BATCH):
        await send("relay-sessions/record", {"sessions": relays[start : start + BATCH]})
    programme_ids: list[str] = []
    for body in ba_be_2022.programmes():
        [programme_id] = (await send("programmes/record", body))["ids"]
        programme_ids.append(programme_id)
        await send(f"programmes/{programme_id}/send", ba_be_2022.deliveries(programme_id, body["air_date"], stations))
    local = ba_be_2022.local_sessions(programme_ids, stations)
    await send("relay-sessions/record", {"sessions": local})
    sessions, trips = ba_be_2022.outreach(communes)
    for body in sessions:
        await send("outreach/sessions/record", body)
    for body in trips:
        await send("outreach/vehicle-trips/record", body)
    return {
        "relay_sessions": len(relays) + len(local),
        "programmes": len(programme_ids),
        "deliveries": len(programme_ids) * len(stations),
        "outreach_sessions": len(sessions),
        "vehicle_trips": len(trips),
    }
