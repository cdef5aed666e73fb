"""The read models a mutation's read-back waits on (``read_back(reads=…)``, ADR 0063) are
projections the service runs: a name that matched none would wake no read-back, and every such
mutation would answer only at its deadline."""

from __future__ import annotations

import pytest

from libs.common.projections.projection import Projection
from services.broadcast.entrypoints.projections import PROJECTIONS as BROADCAST
from services.gateway.adapters import broadcast_api, metrics_api, registry_api
from services.metrics.entrypoints.projections import PROJECTIONS as METRICS
from services.registry.entrypoints.projections import PROJECTIONS as REGISTRY

NAMED = [
    (registry_api.UNITS_READ_MODEL, REGISTRY),
    (registry_api.ASSETS_READ_MODEL, REGISTRY),
    (registry_api.UNIT_GROUPS_READ_MODEL, REGISTRY),
    (broadcast_api.OPERATIONS_READ_MODEL, BROADCAST),
    (broadcast_api.AIRTIME_READ_MODEL, BROADCAST),
    (broadcast_api.SIGNAL_READ_MODEL, BROADCAST),
    (metrics_api.VALUES_READ_MODEL, METRICS),
]


@pytest.mark.parametrize(("name", "projections"), NAMED, ids=[name for name, _ in NAMED])
def test_each_read_model_a_read_back_names_is_one_of_its_services_projections(
    name: str, projections: list[Projection]
) -> None:
    assert name in {p.name for p in projections}
