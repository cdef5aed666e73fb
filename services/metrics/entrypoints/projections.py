"""The projections the metrics service runs (its read models). Registered here, run by its runtime."""

from __future__ import annotations

from libs.common.projections.projection import Projection
from services.metrics.entrypoints.facts_projection import FactsProjection
from services.metrics.entrypoints.values_projection import ValuesProjection

PROJECTIONS: list[Projection] = [ValuesProjection(), FactsProjection()]
