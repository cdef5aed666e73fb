"""Who may write what in the registry: scopes, operators' ownership, district centres' units.

The gateway vouches for the caller (``Principal``); this module decides whether that caller
may carry out a command, before the command runs:

- every write needs the ``registry:write`` scope (``admin`` allows everything, bypassing the
  rules below);
- a caller acting for an organisation (``principal.organisation``, e.g. VIETTEL) writes only
  the assets that organisation operates, registers assets only with itself as operator, and
  does not change administrative units or register organisations;
- a district centre (``principal.unit_code``) writes only within its unit and its descendants:
  the assets standing there and the units below it;
- bulk imports and organisation registrations need a caller bound to neither.

Ownership is read from the event store (the truth the command itself will decide on), never
from a read model that may lag behind a registration made a moment earlier.
"""

from __future__ import annotations

import datetime
from typing import Any

from contracts.registry_events import AssetKind
from libs.common.db import Conn
from libs.common.errors import ForbiddenError, outside_own_unit
from libs.common.eventstore.commands import CommandExecutor
from libs.common.principal import Principal
from services.registry.adapters import asset_lookup, unit_lookup
from services.registry.application.assets import DECIDERS
from services.registry.domain import organisations, teams
from services.registry.domain.names import clean_code
from services.registry.domain.radio import RADIO_STATION, SPEAKER_CLUSTER, cluster_stream, station_stream
from services.registry.domain.units import UNIT, Unit, stream_id

WRITE_SCOPE = "registry:write"
MAX_DEPTH = 8
"""Province > district > commune > village is four; the walk up stops well after that."""


def forbidden(message: str, **details: Any) -> ForbiddenError:
    return ForbiddenError(message, code="forbidden", details=details)


class RegistryAccess:
    def __init__(self, executor: CommandExecutor, principal: Principal) -> None:
        if not principal.allows(WRITE_SCOPE):
            raise forbidden(f"this needs the scope {WRITE_SCOPE!r}", scope=WRITE_SCOPE)
        self._executor = executor
        self.principal = principal
        self._scope_unit_id: str | None = None

    @property
    def unrestricted(self) -> bool:
        p = self.principal
        return p.is_admin or (p.organisation is None and p.unit_code is None)

    # --- what route handlers call ---------------------------------------------------------

    def require_unrestricted(self, what: str) -> None:
        if not self.unrestricted:
            raise forbidden(
                f"{what} is for the province's operators, not for a caller bound to an organisation or a unit",
                organisation=self.principal.organisation,
                unit_code=self.principal.unit_code,
            )

    def operator_for_new_asset(self, operator_code: str | None) -> str | None:
        """The operator a new asset gets: an organisation's caller registers only its own (and
        gets itself when it names none)."""
        own = self.principal.organisation
        if self.principal.is_admin or own is None:
            return operator_code
        if operator_code is None:
            return own
        if organisations.normalise_code(operator_code) != own:
            raise forbidden(
                f"acting for {own}, you may not register an asset operated by {operator_code}",
                organisation=own,
                operator_code=operator_code,
            )
        return operator_code

    async def check_units(
        self, *codes: str | None, on: datetime.date | None = None, strictly_below: bool = False
    ) -> None:
        """Every named unit (by code) lies within the caller's unit (below it, if ``strictly_below``)."""
        if self.principal.is_admin or self.principal.unit_code is None:
            return
        async with self._executor.pool.acquire() as conn:
            for code in codes:
                if code is None:
                    continue
                unit_id = await _unit_id(conn, code, on)
                if unit_id is None:
                    continue  # the command itself answers "unknown unit" (404)
                await self._require_within(conn, unit_id, code, strictly_below=strictly_below)

    async def check_unit_ids(self, *unit_ids: str, strictly_below: bool = True) -> None:
        """Units named by id (a unit to rename, split, dissolve): below the caller's unit."""
        if self.principal.is_admin or self.principal.unit_code is None:
            return
        async with self._executor.pool.acquire() as conn:
            for unit_id in unit_ids:
                await self._require_within(conn, unit_id, unit_id, strictly_below=strictly_below)

    async def check_new_unit(self, parent_code: str | None, on: datetime.date) -> None:
        """A district centre registers units only below its own (a province has no parent)."""
        if self.principal.is_admin or self.principal.unit_code is None:
            return
        if parent_code is None:
            raise outside_own_unit(
                f"a centre for {self.principal.unit_code} registers units only below it", self.principal.unit_code
            )
        await self.check_units(parent_code, on=on)

    def forbid_organisations(self, what: str) -> None:
        if self.principal.organisation is not None and not self.principal.is_admin:
            raise forbidden(
                f"{what} is not an operator's asset; acting for {self.principal.organisation} you may not change it",
                organisation=self.principal.organisation,
            )

    async def check_asset(self, kind: AssetKind | str, asset_id: str) -> None:
        """The existing asset is operated by the caller's organisation and stands in its unit."""
        if self.unrestricted:
            return
        async with self._executor.pool.acquire() as conn:
            operator_id, unit_id = await self._asset_facts(conn, kind, asset_id)
            if operator_id is None and unit_id is None:
                return  # no such asset: the command itself answers 404
            if self.principal.organisation is not None:
                own = await asset_lookup.organisation_id_for_code(conn, self.principal.organisation)
                if own is None or operator_id != own:
                    raise forbidden(
                        f"this {kind.replace('_', ' ')} is not operated by {self.principal.organisation}",
                        organisation=self.principal.organisation,
                        asset_id=asset_id,
                    )
            if self.principal.unit_code is not None:
                if unit_id is None:
                    raise outside_own_unit(
                        f"this {kind.replace('_', ' ')} stands in no unit", self.principal.unit_code, asset_id=asset_id
                    )
                await self._require_within(conn, unit_id, asset_id)

    # --- facts from the event store -------------------------------------------------------

    async def _asset_facts(self, conn: Any, kind: str, asset_id: str) -> tuple[str | None, str | None]:
        """(operator id, unit id) of an asset; (None, None) when it does not exist."""
        if kind == "digital_team":
            team, _ = await self._load(conn, teams.DIGITAL_TEAM, teams.stream_id(asset_id))
            return (None, team.unit_id) if team.unit_id else (None, None)
        if kind == "speaker_cluster":
            cluster, _ = await self._load(conn, SPEAKER_CLUSTER, cluster_stream(asset_id))
            if not cluster.station_id:
                return None, None
            station, _ = await self._load(conn, RADIO_STATION, station_stream(cluster.station_id))
            # A cluster is its station's unless an operator was assigned to it alone.
            return cluster.operator_id or station.operator_id or "", station.unit_id or None
        decider, stream_of = DECIDERS[kind]  # type: ignore[index]
        stream = stream_of(asset_id)
        history = await self._executor.store.load(conn, stream)
        if not history:
            return None, None
        state = decider.fold([self._executor.decode(e) for e in history])
        first = self._executor.decode(history[0])
        return getattr(state, "operator_id", None) or "", getattr(first, "unit_id", None)

    async def _load(self, conn: Any, decider: Any, stream: str) -> tuple[Any, int]:
        history = await self._executor.store.load(conn, stream)
        return decider.fold([self._executor.decode(e) for e in history]), len(history)

    async def _scope_unit(self, conn: Any) -> str | None:
        if self._scope_unit_id is None and self.principal.unit_code is not None:
            self._scope_unit_id = await unit_lookup.latest_unit_id_for_code(conn, clean_code(self.principal.unit_code))
        return self._scope_unit_id

    async def _require_within(self, conn: Any, unit_id: str, named: str, *, strictly_below: bool = False) -> None:
        scope = await self._scope_unit(conn)
        own = self.principal.unit_code or ""
        if strictly_below and unit_id == scope:
            raise outside_own_unit(f"a centre for {own} may change the units below it, not that unit itself", own)
        current: str | None = unit_id
        for _ in range(MAX_DEPTH):
            if current is None:
                break
            if current == scope:
                return
            unit: Unit
            unit, _ = await self._load(conn, UNIT, stream_id(current))
            current = unit.parent_id
        raise outside_own_unit(f"{named} is outside {own}, the unit this caller writes for", own)


async def _unit_id(conn: Conn, code: str, on: datetime.date | None) -> str | None:
    cleaned = clean_code(code)
    if on is not None:
        found = await unit_lookup.unit_id_on(conn, cleaned, on)
        if found is not None:
            return found
    return await unit_lookup.latest_unit_id_for_code(conn, cleaned)
