"""SQL that keeps the network part of the assets read model (``registry_assets``): base
stations, village fibre, postal points, video-conference endpoints and Wi-Fi hotspots, one
write per event to its own entity's rows (``assets_writer.write`` dispatches here)."""

from __future__ import annotations

from contracts.base import Event
from contracts.registry_events import (
    BtsStationCommissioned,
    BtsStationDecommissioned,
    BtsTechnologiesChanged,
    Coordinates,
    PostalPointClosed,
    PostalPointOpened,
    VideoEndpointRegistered,
    VillageFibreConnected,
    WifiHotspotRegistered,
)
from libs.common.db import Conn


def latitude_of(location: Coordinates | None) -> float | None:
    return location.latitude if location else None


def longitude_of(location: Coordinates | None) -> float | None:
    return location.longitude if location else None


async def telecom(conn: Conn, s: str, event: Event) -> None:
    match event:
        case BtsStationCommissioned():
            await conn.execute(
                f"""INSERT INTO {s}.bts_stations
                    (bts_id, operator_id, unit_id, technologies, latitude, longitude, commissioned_on, status)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, 'active')""",
                event.bts_id,
                event.operator_id,
                event.unit_id,
                list(event.technologies),
                latitude_of(event.location),
                longitude_of(event.location),
                event.commissioned_on,
            )
        case BtsTechnologiesChanged():
            await conn.execute(
                f"UPDATE {s}.bts_stations SET technologies = $2 WHERE bts_id = $1",
                event.bts_id,
                list(event.technologies),
            )
        case BtsStationDecommissioned():
            await conn.execute(
                f"UPDATE {s}.bts_stations SET status = 'decommissioned', decommissioned_on = $2 WHERE bts_id = $1",
                event.bts_id,
                event.effective_on,
            )
        case VillageFibreConnected():
            await conn.execute(
                f"INSERT INTO {s}.village_fibre (village_id, operator_id, connected_on) VALUES ($1, $2, $3)",
                event.village_id,
                event.operator_id,
                event.connected_on,
            )


async def facility(conn: Conn, s: str, event: Event) -> None:
    match event:
        case PostalPointOpened():
            await conn.execute(
                f"""INSERT INTO {s}.postal_points (point_id, unit_id, name, operator_id, opened_on, status)
                    VALUES ($1, $2, $3, $4, $5, 'open')""",
                event.point_id,
                event.unit_id,
                event.name,
                event.operator_id,
                event.opened_on,
            )
        case PostalPointClosed():
            await conn.execute(
                f"UPDATE {s}.postal_points SET status = 'closed', closed_on = $2 WHERE point_id = $1",
                event.point_id,
                event.effective_on,
            )
        case VideoEndpointRegistered():
            await conn.execute(
                f"INSERT INTO {s}.video_endpoints (endpoint_id, unit_id, installed_on) VALUES ($1, $2, $3)",
                event.endpoint_id,
                event.unit_id,
                event.installed_on,
            )
        case WifiHotspotRegistered():
            await conn.execute(
                f"""INSERT INTO {s}.wifi_hotspots (hotspot_id, unit_id, operator_id, latitude, longitude, installed_on)
                    VALUES ($1, $2, $3, $4, $5, $6)""",
                event.hotspot_id,
                event.unit_id,
                event.operator_id,
                latitude_of(event.location),
                longitude_of(event.location),
                event.installed_on,
            )
