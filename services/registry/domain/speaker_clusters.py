"""Grassroots radio's loudspeaker clusters: each belongs to a commune's station
(``radio_stations``) and, optionally, sits in a village of the station's commune. Whether a
cluster receives a signal is the broadcast service's business.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.registry_events import (
    AssetOperatorAssigned,
    Coordinates,
    SpeakerClusterDecommissioned,
    SpeakerClusterRegistered,
)
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from libs.common.text import clean_text
from services.registry.domain.assets import (
    AssignOperator,
    assign_operator,
    clean_location,
    latest,
    require_order,
    require_unit,
)
from services.registry.domain.radio_stations import Station, require_station
from services.registry.domain.units import Unit


class Cluster(msgspec.Struct, frozen=True, kw_only=True):
    cluster_id: str = ""
    station_id: str = ""
    status: Literal["absent", "active", "decommissioned"] = "absent"
    installed_on: datetime.date | None = None
    operator_id: str | None = None
    last_on: datetime.date | None = None


def cluster_stream(cluster_id: str) -> str:
    return f"speaker_cluster-{cluster_id}"


class RegisterCluster(msgspec.Struct, frozen=True, kw_only=True):
    cluster_id: str
    station: Station
    village: Unit | None = None
    as_of: datetime.date
    location: Coordinates | None = None
    installed_on: datetime.date | None = None


class DecommissionCluster(msgspec.Struct, frozen=True, kw_only=True):
    effective_on: datetime.date
    reason: str | None = None


ClusterCommand = RegisterCluster | DecommissionCluster | AssignOperator


def decide_cluster(command: ClusterCommand, cluster: Cluster) -> Sequence[Event]:
    match command:
        case RegisterCluster():
            if cluster.status != "absent":
                raise ConflictError("the loudspeaker cluster is already registered", code="duplicate_speaker_cluster")
            station = command.station
            require_station(station)
            require_order(station.installed_on, command.installed_on, what="the cluster's installation")
            village = command.village
            if village is not None:
                require_unit(village, ("village",), command.as_of, what="loudspeaker cluster")
                if village.parent_on(command.as_of) != station.unit_id:
                    raise InvalidInputError(
                        f"village {village.code} is not in the station's commune",
                        code="village_not_in_commune",
                        details={"village_code": village.code},
                    )
            return [
                SpeakerClusterRegistered(
                    cluster_id=command.cluster_id,
                    station_id=station.station_id,
                    village_id=village.unit_id if village is not None else None,
                    location=clean_location(command.location),
                    installed_on=command.installed_on,
                )
            ]
        case DecommissionCluster():
            if cluster.status == "absent":
                raise NotFoundError("no such loudspeaker cluster", code="unknown_speaker_cluster")
            if cluster.status == "decommissioned":
                raise ConflictError("the loudspeaker cluster is already decommissioned", code="asset_decommissioned")
            require_order(cluster.last_on, command.effective_on, what="the decommissioning")
            return [
                SpeakerClusterDecommissioned(
                    cluster_id=cluster.cluster_id,
                    station_id=cluster.station_id,
                    effective_on=command.effective_on,
                    reason=clean_text(command.reason, field="reason"),
                )
            ]
        case AssignOperator():
            return assign_operator(
                command,
                asset_id=cluster.cluster_id,
                kind="speaker_cluster",
                exists=cluster.status != "absent",
                ended=cluster.status == "decommissioned",
                operator_id=cluster.operator_id,
                not_before=cluster.last_on,
            )


def evolve_cluster(cluster: Cluster, event: Event) -> Cluster:
    match event:
        case SpeakerClusterRegistered():
            return Cluster(
                cluster_id=event.cluster_id,
                station_id=event.station_id,
                status="active",
                installed_on=event.installed_on,
                last_on=event.installed_on,
            )
        case SpeakerClusterDecommissioned():
            return msgspec.structs.replace(cluster, status="decommissioned", last_on=event.effective_on)
        case AssetOperatorAssigned():
            return msgspec.structs.replace(
                cluster, operator_id=event.organisation_id, last_on=latest(cluster.last_on, event.effective_on)
            )
    return cluster


SPEAKER_CLUSTER: Decider[ClusterCommand, Cluster] = Decider(
    stream_type="speaker_cluster", initial=Cluster, evolve=evolve_cluster, decide=decide_cluster
)
