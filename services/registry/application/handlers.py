"""The registry's command handlers, built once by the composition root (``app.py``) around one
executor and one ownership policy, and injected into every route and the bulk importer.

Every handler has the one signature ``async def x(self, cmd, ctx: CommandContext) ->
CommandResult``; a command on an entity its route names takes a ``ById`` of the body.
"""

from __future__ import annotations

from dataclasses import dataclass

from libs.common.eventstore.commands import CommandExecutor
from services.registry.adapters.unit_tree import EventStoreUnitTree
from services.registry.application.assets import DECIDERS, OperatorCommands
from services.registry.application.facilities import FacilityCommands
from services.registry.application.organisations import OrganisationCommands
from services.registry.application.ownership import Ownership
from services.registry.application.radio import RadioCommands
from services.registry.application.systems import SystemCommands
from services.registry.application.teams import TeamCommands
from services.registry.application.telecom import TelecomCommands
from services.registry.application.unit_groups import UnitGroupCommands
from services.registry.application.units import UnitCommands


@dataclass(frozen=True, slots=True)
class RegistryHandlers:
    executor: CommandExecutor
    units: UnitCommands
    organisations: OrganisationCommands
    operators: OperatorCommands
    teams: TeamCommands
    radio: RadioCommands
    telecom: TelecomCommands
    facilities: FacilityCommands
    systems: SystemCommands
    unit_groups: UnitGroupCommands

    @classmethod
    def build(cls, executor: CommandExecutor) -> RegistryHandlers:
        ownership = Ownership(EventStoreUnitTree(executor.store, executor.catalogue), DECIDERS)
        return cls(
            executor=executor,
            units=UnitCommands(executor, ownership),
            organisations=OrganisationCommands(executor, ownership),
            operators=OperatorCommands(executor, ownership),
            teams=TeamCommands(executor, ownership),
            radio=RadioCommands(executor, ownership),
            telecom=TelecomCommands(executor, ownership),
            facilities=FacilityCommands(executor, ownership),
            systems=SystemCommands(executor, ownership),
            unit_groups=UnitGroupCommands(executor),
        )
