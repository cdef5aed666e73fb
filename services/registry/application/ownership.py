"""Who may write what in the registry, beyond the ``registry:write`` scope the route's
dependency already required (``libs.common.http.context``):

- ``admin`` allows everything, and the service itself (seeding) is not checked;
- a caller acting for an organisation (``ctx.organisation``, e.g. VIETTEL) writes only the
  assets that organisation operates, registers assets only with itself as operator, and does
  not change administrative units or register organisations;
- a district centre (``ctx.unit_code``) writes only within its unit and the units under it:
  the assets standing there and the units below it (``libs.common.reach.require_within``, on
  the registry's event-store tree);
- bulk imports, organisations and information systems need a caller bound to neither.

The rules that read data run inside the command's transaction, on its connection, with the
caller from ``tx.context``: what is checked is what the command decides on. The rules that
read only the caller are plain functions a handler calls first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from contracts.registry_events import AssetKind
from libs.common.errors import ForbiddenError, outside_own_unit
from libs.common.eventstore.commands import Check, Decider, Transaction
from libs.common.eventstore.context import CommandContext
from libs.common.reach import UnitTree, require_within
from services.registry.adapters import asset_lookup
from services.registry.domain import organisations, teams
from services.registry.domain.radio_stations import RADIO_STATION, station_stream
from services.registry.domain.speaker_clusters import SPEAKER_CLUSTER, cluster_stream

OwnedKind = AssetKind | Literal["digital_team"]
"""What an ownership check names: an asset, or a digital team (which no operator owns)."""


def forbidden(message: str, **details: Any) -> ForbiddenError:
    return ForbiddenError(message, code="forbidden", details=details)


def require_unrestricted(ctx: CommandContext, what: str) -> None:
    if not ctx.unrestricted:
        p = ctx.principal
        raise forbidden(
            f"{what} is for the province's operators, not for a caller bound to an organisation or a unit",
            organisation=p.organisation if p else None,
            unit_code=p.unit_code if p else None,
        )


def forbid_organisations(ctx: CommandContext, what: str) -> None:
    if ctx.organisation is not None:
        raise forbidden(
            f"{what} is not an operator's asset; acting for {ctx.organisation} you may not change it",
            organisation=ctx.organisation,
        )


def operator_for_new_asset(ctx: CommandContext, operator_code: str | None) -> str | None:
    """The operator a new asset gets: an organisation's caller registers only its own (and gets
    itself when it names none)."""
    own = ctx.organisation
    if own is None:
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


class Ownership:
    """The rules that read data, run on the command's transaction."""

    def __init__(self, tree: UnitTree, deciders: dict[AssetKind, tuple[Decider[Any, Any], Any]]) -> None:
        self.tree = tree
        self._deciders = deciders

    async def units(self, tx: Transaction, unit_ids: Iterable[str], *, strictly_below: bool = False) -> None:
        """Every unit lies within the caller's unit (below it, with ``strictly_below``)."""
        await require_within(tx.conn, self.tree, tx.context.unit_code, unit_ids, strictly_below=strictly_below)

    async def new_unit(self, tx: Transaction, parent_id: str | None) -> None:
        """A district centre registers units only below its own (a province has no parent)."""
        own = tx.context.unit_code
        if own is not None and parent_id is None:
            raise outside_own_unit(f"a centre for {own} registers units only below it", own)
        await self.units(tx, [parent_id] if parent_id else [])

    def asset_check(self, ctx: CommandContext, kind: OwnedKind, asset_id: str) -> Check | None:
        """:meth:`asset` as a single-stream command's ``check`` (run in its group commit's
        transaction, ADR 0064); none for an unrestricted caller, who is not checked."""
        if ctx.unrestricted:
            return None

        async def check(tx: Transaction) -> None:
            await self.asset(tx, kind, asset_id)

        return check

    async def asset(self, tx: Transaction, kind: OwnedKind, asset_id: str) -> None:
        """The existing asset is operated by the caller's organisation and stands in its unit;
        an asset that does not exist is left to the command, which answers 404."""
        ctx = tx.context
        if ctx.unrestricted:
            return
        operator_id, unit_id = await self._asset_facts(tx, kind, asset_id)
        if operator_id is None and unit_id is None:
            return
        what = kind.replace("_", " ")
        if ctx.organisation is not None:
            own = await asset_lookup.organisation_id_for_code(tx.conn, ctx.organisation)
            if own is None or operator_id != own:
                raise forbidden(
                    f"this {what} is not operated by {ctx.organisation}",
                    organisation=ctx.organisation,
                    asset_id=asset_id,
                )
        if ctx.unit_code is not None:
            if unit_id is None:
                raise outside_own_unit(f"this {what} stands in no unit", ctx.unit_code, asset_id=asset_id)
            await self.units(tx, [unit_id])

    async def _asset_facts(self, tx: Transaction, kind: OwnedKind, asset_id: str) -> tuple[str | None, str | None]:
        """(operator id, unit id) of an asset; (None, None) when it does not exist."""
        if kind == "digital_team":
            team, _ = await tx.load(teams.DIGITAL_TEAM, teams.stream_id(asset_id))
            return (None, team.unit_id) if team.unit_id else (None, None)
        if kind == "speaker_cluster":
            cluster, _ = await tx.load(SPEAKER_CLUSTER, cluster_stream(asset_id))
            if not cluster.station_id:
                return None, None
            station, _ = await tx.load(RADIO_STATION, station_stream(cluster.station_id))
            # A cluster is its station's unless an operator was assigned to it alone.
            return cluster.operator_id or station.operator_id or "", station.unit_id or None
        decider, stream_of = self._deciders[kind]
        history = await tx.executor.store.load(tx.conn, stream_of(asset_id))
        if not history:
            return None, None
        state = decider.fold([tx.executor.decode(e) for e in history])
        first = tx.executor.decode(history[0])
        return getattr(state, "operator_id", None) or "", getattr(first, "unit_id", None)
