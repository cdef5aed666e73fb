"""The projections the broadcast service runs (its read models). Registered here, run by its runtime."""

from __future__ import annotations

from libs.common.projections.projection import Projection
from services.broadcast.entrypoints.airtime_projection import AirtimeProjection
from services.broadcast.entrypoints.incidents_projection import IncidentsProjection
from services.broadcast.entrypoints.operations_projection import OperationsProjection
from services.broadcast.entrypoints.preemption_policy import PreemptionPolicy
from services.broadcast.entrypoints.registry_projection import RegistryViewProjection
from services.broadcast.entrypoints.schedules_projection import SchedulesProjection
from services.broadcast.entrypoints.signal_projection import SignalProjection
from services.broadcast.entrypoints.source_results_projection import SourceResultsProjection

PROJECTIONS: list[Projection] = [
    RegistryViewProjection(),
    OperationsProjection(),
    AirtimeProjection(),
    SignalProjection(),
    IncidentsProjection(),
    SchedulesProjection(),
    PreemptionPolicy(),
    SourceResultsProjection(),
]
