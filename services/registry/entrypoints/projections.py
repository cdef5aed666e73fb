"""The projections the registry service runs (its read models). Registered here, run by its runtime."""

from __future__ import annotations

from libs.common.projections.projection import Projection
from services.registry.entrypoints.assets_projection import AssetsProjection
from services.registry.entrypoints.unit_groups_projection import UnitGroupsProjection
from services.registry.entrypoints.units_projection import UnitsProjection

PROJECTIONS: list[Projection] = [UnitsProjection(), AssetsProjection(), UnitGroupsProjection()]
