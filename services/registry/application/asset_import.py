"""Bulk-import kinds for the registry's assets: organisations, radio stations and loudspeaker
clusters, base stations, village fibre, digital teams, postal points, video-conference
endpoints, Wi-Fi hotspots, information systems and their security levels.

A kind whose route takes no id in its path imports the route's own body (``CommissionBtsBody``,
``EstablishTeamBody``… of ``contracts.api.registry``), so an imported item is exactly the
command sent one by one; except ``register_organisation``, whose body's ``kind`` would clash
with the item's: it is ``organisation_kind`` there.

Assets get server-generated ids, which a file cannot know; a kind that acts on an existing
asset names it by something stable instead (``asset_matching``):

- ``upgrade_radio_station``, ``change_radio_station_status``: ``unit_code``, the station's
  commune, resolved on the upgrade's / change's date; the station is the one in service in
  that commune that day (one station per commune);
- ``register_speaker_cluster``: ``station_unit_code``, the same, on ``installed_on``;
- ``approve_security_level``: ``system_key``, the ``key`` of the ``register_information_system``
  item that created the system, imported earlier by the same principal (so that item must
  carry a key).

Re-import (the bulk importer's rules): every item has an idempotency key, so importing the
same file again replays each item's stored result ("unchanged"); a kind that resolves a
reference first checks its own stored result, so a replay never depends on the reference still
resolving. Give asset items a ``key``: without one an item is known by a hash of its content,
so two identical unkeyed items (two base stations of one operator in one commune, neither
located) are one item. Items without a key that hit a one-per-X rule are "unchanged" when the
holder is what the item asks for (as ``register_unit`` does): an organisation's code, a
commune's station, a unit's active team, an operator's fibre in a village. Other assets have no
natural identity: the same file imported by another principal creates them again.

``Keys`` (what may run side by side) name units by code and assets by namespaced references:
``organisation:<CODE>``, ``radio_station:<commune code>``, ``digital_team:<unit code>``,
``village_fibre:<village code>``, ``information_system`` (every system registration writes it,
every approval reads it, so approvals wait for the registrations before them).
"""

from __future__ import annotations

import datetime
from functools import partial

import msgspec

from contracts.api.registry import (
    ApproveSecurityLevelBody,
    ChangeRadioStationStatusBody,
    RegisterInformationSystemBody,
    RegisterOrganisationBody,
    RegisterRadioStationBody,
    RegisterSpeakerClusterBody,
    UpgradeRadioStationBody,
)
from contracts.registry_events import OperationalStatus, OrganisationKind, StationTechnology
from services.registry.application import asset_matching
from services.registry.application.assets import province_today
from services.registry.application.by_id import ById
from services.registry.application.import_kinds import ImportContext, ImportKind, Keys, Outcome
from services.registry.application.reimport import import_or_match, outcome_of

SYSTEMS = "information_system"


class RegisterOrganisationItem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``RegisterOrganisationBody`` with ``kind`` spelled ``organisation_kind``."""

    code: str
    name: str
    organisation_kind: OrganisationKind
    unit_code: str | None = None
    as_of: datetime.date | None = None

    def input(self) -> RegisterOrganisationBody:
        return RegisterOrganisationBody(
            code=self.code, name=self.name, kind=self.organisation_kind, unit_code=self.unit_code, as_of=self.as_of
        )


class UpgradeRadioStationItem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_code: str
    """The station's commune, resolved on ``upgraded_on``."""
    technology: StationTechnology
    upgraded_on: datetime.date
    funding_source: str | None = None


class ChangeRadioStationStatusItem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    unit_code: str
    """The station's commune, resolved on ``effective_on``."""
    status: OperationalStatus
    effective_on: datetime.date
    reason: str | None = None


class RegisterSpeakerClusterItem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    station_unit_code: str
    """The commune whose station the cluster belongs to, resolved on ``installed_on`` (or today)."""
    village_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    installed_on: datetime.date | None = None


class ApproveSecurityLevelItem(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    system_key: str
    """The ``key`` of this principal's earlier ``register_information_system`` item."""
    level: int
    approved_on: datetime.date
    decision: str | None = None


def org_ref(code: str | None) -> str | None:
    return None if code is None else "organisation:" + code.strip().upper()


def _station(code: str) -> str:
    return "radio_station:" + code.strip()


# --- organisations ------------------------------------------------------------------------


async def register_organisation(ctx: ImportContext, item: RegisterOrganisationItem) -> Outcome:
    return await import_or_match(
        ctx,
        lambda: ctx.handlers.organisations.register(item.input(), ctx.command),
        "duplicate_organisation_code",
        partial(
            asset_matching.organisation_registered_as,
            ctx.executor,
            name=item.name,
            kind=item.organisation_kind,
            unit_code=item.unit_code,
            as_of=item.as_of or province_today(),
        ),
        item.code.strip().upper(),
    )


# --- radio --------------------------------------------------------------------------------


async def register_radio_station(ctx: ImportContext, item: RegisterRadioStationBody) -> Outcome:
    return await import_or_match(
        ctx,
        lambda: ctx.handlers.radio.register_station(item, ctx.command),
        "station_exists",
        partial(
            asset_matching.station_registered_as,
            ctx.executor,
            unit_code=item.unit_code,
            technology=item.technology,
            installed_on=item.installed_on,
            funding_source=item.funding_source,
            operator_code=item.operator_code,
            as_of=item.installed_on or province_today(),
        ),
        item.unit_code,
    )


async def upgrade_radio_station(ctx: ImportContext, item: UpgradeRadioStationItem) -> Outcome:
    if (replayed := await asset_matching.remembered(ctx.executor, ctx.idempotency)) is not None:
        return Outcome(code=item.unit_code.strip(), result=replayed)
    station_id = await asset_matching.station_on(ctx.executor, item.unit_code, item.upgraded_on)
    data = UpgradeRadioStationBody(
        technology=item.technology, upgraded_on=item.upgraded_on, funding_source=item.funding_source
    )
    done = await ctx.handlers.radio.upgrade_station(ById(id=station_id, body=data), ctx.command)
    return outcome_of(done, item.unit_code)


async def change_radio_station_status(ctx: ImportContext, item: ChangeRadioStationStatusItem) -> Outcome:
    if (replayed := await asset_matching.remembered(ctx.executor, ctx.idempotency)) is not None:
        return Outcome(code=item.unit_code.strip(), result=replayed)
    station_id = await asset_matching.station_on(ctx.executor, item.unit_code, item.effective_on)
    data = ChangeRadioStationStatusBody(status=item.status, effective_on=item.effective_on, reason=item.reason)
    done = await ctx.handlers.radio.change_station_status(ById(id=station_id, body=data), ctx.command)
    return outcome_of(done, item.unit_code)


async def register_speaker_cluster(ctx: ImportContext, item: RegisterSpeakerClusterItem) -> Outcome:
    if (replayed := await asset_matching.remembered(ctx.executor, ctx.idempotency)) is not None:
        return Outcome(code=item.village_code, result=replayed)
    on = item.installed_on or province_today()
    station_id = await asset_matching.station_on(ctx.executor, item.station_unit_code, on)
    data = RegisterSpeakerClusterBody(
        station_id=station_id,
        village_code=item.village_code,
        latitude=item.latitude,
        longitude=item.longitude,
        installed_on=item.installed_on,
    )
    done = await ctx.handlers.radio.register_cluster(data, ctx.command)
    return outcome_of(done, item.village_code)


# --- information systems ------------------------------------------------------------------


async def register_information_system(ctx: ImportContext, item: RegisterInformationSystemBody) -> Outcome:
    done = await ctx.handlers.systems.register(item, ctx.command)
    return outcome_of(done)


async def approve_security_level(ctx: ImportContext, item: ApproveSecurityLevelItem) -> Outcome:
    if (replayed := await asset_matching.remembered(ctx.executor, ctx.idempotency)) is not None:
        return Outcome(result=replayed)
    system_id = await asset_matching.imported_asset_id(
        ctx.executor, ctx.idempotency.principal, "register_information_system", item.system_key
    )
    data = ApproveSecurityLevelBody(level=item.level, approved_on=item.approved_on, decision=item.decision)
    done = await ctx.handlers.systems.approve_security_level(ById(id=system_id, body=data), ctx.command)
    return outcome_of(done)


# --- the kinds ----------------------------------------------------------------------------

REGISTER_ORGANISATION = ImportKind(
    RegisterOrganisationItem,
    register_organisation,
    lambda b: Keys.of(reads=[b.unit_code], writes=[org_ref(b.code)]),
)
REGISTER_RADIO_STATION = ImportKind(
    RegisterRadioStationBody,
    register_radio_station,
    lambda b: Keys.of(reads=[b.unit_code, org_ref(b.operator_code)], writes=[_station(b.unit_code)]),
)
UPGRADE_RADIO_STATION = ImportKind(
    UpgradeRadioStationItem,
    upgrade_radio_station,
    lambda b: Keys.of(reads=[b.unit_code], writes=[_station(b.unit_code)]),
)
CHANGE_RADIO_STATION_STATUS = ImportKind(
    ChangeRadioStationStatusItem,
    change_radio_station_status,
    lambda b: Keys.of(reads=[b.unit_code], writes=[_station(b.unit_code)]),
)
REGISTER_SPEAKER_CLUSTER = ImportKind(
    RegisterSpeakerClusterItem,
    register_speaker_cluster,
    lambda b: Keys.of(reads=[_station(b.station_unit_code), b.station_unit_code, b.village_code]),
)
REGISTER_INFORMATION_SYSTEM = ImportKind(
    RegisterInformationSystemBody, register_information_system, lambda b: Keys.of(writes=[SYSTEMS])
)
APPROVE_SECURITY_LEVEL = ImportKind(
    ApproveSecurityLevelItem,
    approve_security_level,
    lambda b: Keys.of(reads=[SYSTEMS], writes=[f"{SYSTEMS}:{b.system_key}"]),
)
