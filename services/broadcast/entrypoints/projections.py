"""The projections the broadcast service runs (its read models). Registered here, run by its runtime."""

from __future__ import annotations

from libs.common.projections.projection import Projection

PROJECTIONS: list[Projection] = []
