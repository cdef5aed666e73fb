"""The ``metrics_facts`` projection: registry and broadcast events become dated facts per unit.

It is the metrics service's own copy of the unit hierarchy (levels, parents, validity), so no
command or query calls the registry; and it keeps the facts computed indicators count. After
each batch, in the live schema only, the change emitter recomputes the indicators of the units
the batch touched and appends ``metrics.indicator_value_changed`` for those that changed, in
the same transaction as the checkpoint: exactly once per change. A rebuild (the ``__next``
schema) emits nothing: the values it recomputes were announced when they first changed.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from contracts import broadcast_events as b
from contracts import registry_events as r
from contracts.base import Event
from contracts.province import PROVINCE_TZ
from libs.common.db import Conn
from libs.common.projections.declared import ReadFields, read_model
from libs.common.projections.projection import Applied
from services.metrics.adapters import unit_groups
from services.metrics.adapters.facts_tables import TABLES
from services.metrics.adapters.facts_writer import FactsWriter, Touched
from services.metrics.application.change_emitter import emit_changes

NAME = "metrics_facts"
ASSET_FIELDS = ("station_id", "bts_id", "team_id", "cluster_id")


def local_day(moment: datetime.datetime) -> datetime.date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(PROVINCE_TZ).date()


def hours_by_day(start: datetime.datetime, end: datetime.datetime) -> list[tuple[datetime.date, float]]:
    """A session's hours split at the province's midnights, so each day (and period) is exact."""
    out = []
    start, end = start.astimezone(PROVINCE_TZ), end.astimezone(PROVINCE_TZ)
    while start < end:
        midnight = datetime.datetime.combine(start.date() + datetime.timedelta(days=1), datetime.time(), PROVINCE_TZ)
        until = min(end, midnight)
        out.append((start.date(), (until - start).total_seconds() / 3600))
        start = until
    return out


async def apply(conn: Conn, schema: str, batch: Sequence[Applied]) -> None:
    touched = Touched()
    writer = FactsWriter(conn, schema, touched)
    await writer.preload_assets(
        {getattr(item.event, name) for item in batch for name in ASSET_FIELDS if hasattr(item.event, name)}
    )
    for item in batch:
        await _apply_one(writer, item.event, local_day(item.envelope.occurred_at))
    await writer.flush()
    if schema == NAME and (touched.items or touched.unresolved):
        await emit_changes(conn, schema, touched, batch[-1].envelope.occurred_at)


READS: ReadFields = {
    r.UnitRegistered: ("code", "level", "name", "parent_id", "unit_id", "valid_from"),
    r.UnitRenamed: ("name", "unit_id"),
    r.UnitReparented: ("effective_on", "parent_id", "unit_id"),
    r.UnitMerged: ("effective_on", "successor_id", "unit_id"),
    r.UnitSplit: ("effective_on", "unit_id"),
    r.UnitDissolved: ("effective_on", "unit_id"),
    r.DigitalTeamEstablished: ("established_on", "level", "member_count", "team_id", "unit_id"),
    r.DigitalTeamMembersChanged: ("effective_on", "member_count", "team_id"),
    r.DigitalTeamActivityReported: ("reported_on", "team_id"),
    r.DigitalTeamDisbanded: ("effective_on", "team_id"),
    r.BtsStationDecommissioned: ("bts_id", "effective_on"),
    r.PostalPointClosed: ("effective_on", "point_id"),
    r.RadioStationRegistered: ("installed_on", "station_id", "technology", "unit_id"),
    r.RadioStationUpgraded: ("station_id", "technology", "upgraded_on"),
    r.RadioStationStatusChanged: ("effective_on", "station_id", "status"),
    r.SpeakerClusterRegistered: ("cluster_id", "installed_on", "station_id"),
    r.SpeakerClusterDecommissioned: ("cluster_id", "effective_on", "station_id"),
    r.BtsStationCommissioned: ("bts_id", "commissioned_on", "technologies", "unit_id"),
    r.BtsTechnologiesChanged: ("bts_id", "effective_on", "technologies"),
    r.VillageFibreConnected: ("connected_on", "village_id"),
    r.PostalPointOpened: ("opened_on", "point_id", "unit_id"),
    r.VideoEndpointRegistered: ("endpoint_id", "installed_on", "unit_id"),
    r.WifiHotspotRegistered: ("hotspot_id", "installed_on", "unit_id"),
    b.RelaySessionRecorded: ("ended_at", "session_id", "source", "started_at", "station_id"),
    b.RelaySessionCancelled: ("session_id", "station_id"),
    b.ClusterSignalLost: ("cluster_id", "down_since", "station_id"),
    b.ClusterSignalRestored: ("cluster_id", "restored_at", "station_id"),
    b.OutreachSessionHeld: ("held_on", "outreach_id", "unit_code"),
    b.LoudspeakerVehicleTripMade: ("made_on", "outreach_id", "unit_code"),
    b.ProgrammeRecorded: ("air_date", "articles", "duration_seconds", "news_items", "programme_id", "unit_id"),
    b.ProgrammeCorrected: ("air_date", "articles", "duration_seconds", "news_items", "programme_id"),
    r.UnitGroupCreated: ("group_code", "name"),
    r.UnitGroupMemberAdded: ("group_code", "joined_on", "unit_id"),
    r.UnitGroupMemberRemoved: ("group_code", "left_on", "unit_id"),
}
"""The events it applies and the fields of each it reads (checked against ``contracts``)."""

FactsProjection = read_model(
    NAME, READS, tables=lambda schema: (TABLES + unit_groups.TABLES).format(s=schema), apply=apply
)


async def _apply_one(w: FactsWriter, e: Event, today: datetime.date) -> None:  # noqa: PLR0912, PLR0915 - one dispatch table
    if isinstance(e, r.UnitRegistered):
        await w.register_unit(e.unit_id, e.code, e.name, e.level, e.parent_id, e.valid_from)
    elif isinstance(e, r.UnitRenamed):
        await w.rename_unit(e.unit_id, e.name)
    elif isinstance(e, r.UnitReparented):
        await w.set_parent(e.unit_id, e.parent_id, e.effective_on)
    elif isinstance(e, r.UnitMerged):
        # What the merged unit held (stations, teams, villages not moved) now counts for its
        # successor: the old unit hangs under it from that day, though it is no longer listed.
        await w.end_unit(e.unit_id, e.effective_on)
        await w.set_parent(e.unit_id, e.successor_id, e.effective_on)
    elif isinstance(e, r.UnitSplit | r.UnitDissolved):
        await w.end_unit(e.unit_id, e.effective_on)
    elif isinstance(e, r.DigitalTeamEstablished):
        await w.register_asset(e.team_id, f"team:{e.level}", e.unit_id)
        await w.set_fact(e.team_id, f"teams.{e.level}", e.unit_id, 1.0, e.established_on)
        await w.set_fact(e.team_id, f"teams.{e.level}.members", e.unit_id, float(e.member_count), e.established_on)
    elif isinstance(e, r.DigitalTeamMembersChanged):
        found = await w.asset(e.team_id)
        if found is not None:
            level = found[0].split(":", 1)[1]
            await w.set_fact(e.team_id, f"teams.{level}.members", found[1], float(e.member_count), e.effective_on)
    elif isinstance(e, r.DigitalTeamActivityReported):
        found = await w.asset(e.team_id)
        if found is not None and found[1] is not None:
            level = found[0].split(":", 1)[1]
            until = e.reported_on + datetime.timedelta(days=r.TEAM_ACTIVITY_WINDOW_DAYS + 1)
            await w.set_window(f"{e.team_id}:active", f"teams.{level}.active", found[1], e.reported_on, until)
    elif isinstance(e, r.DigitalTeamDisbanded):
        await w.end_facts(e.team_id, e.effective_on)
        await w.cut_windows(f"{e.team_id}:active", e.effective_on)
    elif isinstance(e, r.BtsStationDecommissioned):
        await w.end_facts(e.bts_id, e.effective_on)
    elif isinstance(e, r.PostalPointClosed):
        await w.end_facts(e.point_id, e.effective_on)
    elif isinstance(e, r.RadioStationRegistered):
        day = e.installed_on or today
        await w.register_asset(e.station_id, "station", e.unit_id)
        await w.set_fact(e.station_id, "radio.stations", e.unit_id, 1.0, day)
        await w.set_fact(e.station_id, "radio.stations.ip", e.unit_id, float(e.technology == "IP"), day)
        await w.set_fact(e.station_id, "radio.stations.working", e.unit_id, 1.0, day)
    elif isinstance(e, r.RadioStationUpgraded):
        unit = await w.asset_unit(e.station_id)
        await w.set_fact(e.station_id, "radio.stations.ip", unit, float(e.technology == "IP"), e.upgraded_on)
    elif isinstance(e, r.RadioStationStatusChanged):
        unit = await w.asset_unit(e.station_id)
        if e.status == "DECOMMISSIONED":
            await w.end_facts(e.station_id, e.effective_on)
        else:
            await w.set_fact(
                e.station_id, "radio.stations.working", unit, float(e.status == "OPERATIONAL"), e.effective_on
            )
    elif isinstance(e, r.SpeakerClusterRegistered):
        unit = await w.asset_unit(e.station_id)
        await w.register_asset(e.cluster_id, "cluster", unit)
        await w.set_fact(e.cluster_id, "radio.clusters", unit, 1.0, e.installed_on or today, via_station=e.station_id)
    elif isinstance(e, r.SpeakerClusterDecommissioned):
        await w.end_facts(e.cluster_id, e.effective_on)
    elif isinstance(e, r.BtsStationCommissioned | r.BtsTechnologiesChanged):
        if isinstance(e, r.BtsStationCommissioned):
            day = e.commissioned_on or today
            await w.register_asset(e.bts_id, "bts", e.unit_id)
            bts_unit: str | None = e.unit_id
            await w.set_fact(e.bts_id, "telecom.bts", bts_unit, 1.0, day)
        else:
            day = e.effective_on
            bts_unit = await w.asset_unit(e.bts_id)
        for tech in ("2G", "3G", "4G", "5G"):
            await w.set_fact(e.bts_id, f"telecom.bts.{tech.lower()}", bts_unit, float(tech in e.technologies), day)
    elif isinstance(e, r.VillageFibreConnected):
        await w.set_fact(e.village_id, "telecom.villages.fibre", e.village_id, 1.0, e.connected_on)
    elif isinstance(e, r.PostalPointOpened):
        await w.set_fact(e.point_id, "postal.points", e.unit_id, 1.0, e.opened_on or today)
    elif isinstance(e, r.VideoEndpointRegistered):
        await w.set_fact(e.endpoint_id, "egov.video_endpoints", e.unit_id, 1.0, e.installed_on or today)
    elif isinstance(e, r.WifiHotspotRegistered):
        await w.set_fact(e.hotspot_id, "telecom.wifi_hotspots", e.unit_id, 1.0, e.installed_on or today)
    elif isinstance(e, r.UnitGroupCreated | r.UnitGroupMemberAdded | r.UnitGroupMemberRemoved):
        await _apply_group(w, e)
    else:
        await _apply_broadcast(w, e)


async def _apply_group(
    w: FactsWriter, e: r.UnitGroupCreated | r.UnitGroupMemberAdded | r.UnitGroupMemberRemoved
) -> None:
    """Groups change no fact: they are another scope the queries select units by (ADR 0056)."""
    if isinstance(e, r.UnitGroupCreated):
        await unit_groups.group_created(w.conn, w.s, e.group_code, e.name)
    elif isinstance(e, r.UnitGroupMemberAdded):
        await unit_groups.member_added(w.conn, w.s, e.group_code, e.unit_id, e.joined_on)
    else:
        await unit_groups.member_removed(w.conn, w.s, e.group_code, e.unit_id, e.left_on)


async def _apply_broadcast(w: FactsWriter, e: Event) -> None:
    if isinstance(e, b.RelaySessionRecorded):
        unit = await w.asset_unit(e.station_id)
        hours = hours_by_day(e.started_at, e.ended_at)
        await w.add_flow(e.session_id, "broadcast.relay_hours", hours, unit_id=unit, via_station=e.station_id)
        by_source = f"broadcast.relay_hours.{e.source.lower()}"
        await w.add_flow(f"{e.session_id}:source", by_source, hours, unit_id=unit, via_station=e.station_id)
    elif isinstance(e, b.RelaySessionCancelled):
        await w.remove_flows(e.session_id)
        await w.remove_flows(f"{e.session_id}:source")
    elif isinstance(e, b.ProgrammeRecorded | b.ProgrammeCorrected):
        await _programme(w, e)
    elif isinstance(e, b.ClusterSignalLost):
        unit = await w.asset_unit(e.station_id)
        await w.set_fact(
            e.cluster_id, "radio.clusters.down", unit, 1.0, local_day(e.down_since), via_station=e.station_id
        )
    elif isinstance(e, b.ClusterSignalRestored):
        unit = await w.asset_unit(e.station_id)
        await w.set_fact(e.cluster_id, "radio.clusters.down", unit, 0.0, local_day(e.restored_at))
    elif isinstance(e, b.OutreachSessionHeld | b.LoudspeakerVehicleTripMade):
        day = e.held_on if isinstance(e, b.OutreachSessionHeld) else e.made_on
        fact = "broadcast.outreach_sessions" if isinstance(e, b.OutreachSessionHeld) else "broadcast.vehicle_trips"
        unit = await w.unit_by_code(e.unit_code, day)
        key = f"{fact}:{e.outreach_id}"
        await w.add_flow(key, fact, [(day, 1.0)], unit_id=unit, via_code=None if unit else e.unit_code)


PROGRAMME_FACTS = ("broadcast.programmes", "broadcast.news_items", "broadcast.articles", "broadcast.programme_hours")


async def _programme(w: FactsWriter, e: b.ProgrammeRecorded | b.ProgrammeCorrected) -> None:
    """A programme counts on its air date for its producer; a correction replaces what it names."""
    key = f"programme:{e.programme_id}"
    if isinstance(e, b.ProgrammeRecorded):
        unit: str | None = e.unit_id
        day = e.air_date
        amounts = [1.0, float(e.news_items), float(e.articles), e.duration_seconds / 3600]
    else:
        found = await w.flows(key)
        if not found:
            return  # a correction of a programme this projection never saw recorded
        unit, day, old = found
        amounts = [
            1.0,
            float(e.news_items) if e.news_items is not None else old["broadcast.news_items"],
            float(e.articles) if e.articles is not None else old["broadcast.articles"],
            e.duration_seconds / 3600 if e.duration_seconds is not None else old["broadcast.programme_hours"],
        ]
        day = e.air_date or day
    for fact, amount in zip(PROGRAMME_FACTS, amounts, strict=True):
        await w.add_flow(f"{key}:{fact}", fact, [(day, amount)], unit_id=unit)
