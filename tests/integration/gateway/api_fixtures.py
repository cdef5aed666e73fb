"""A small province built through /graphql only: units, a station with clusters, a value."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.integration.gateway.api_platform import Platform

REGISTER_UNIT = """
mutation($input: RegisterUnitInput!) { registerUnit(input: $input) { id code name level parent { code } } }
"""
REGISTER_STATION = """
mutation($input: RegisterRadioStationInput!) { registerRadioStation(input: $input) { id technology unit { code } } }
"""
REGISTER_CLUSTER = """
mutation($input: RegisterSpeakerClusterInput!) {
  registerSpeakerCluster(input: $input) { id village { code } station { id } signal }
}
"""
RECORD_RELAY = """
mutation($input: RecordRelayInput!) { recordRelay(input: $input) { id } }
"""
REPORT_VALUE = """
mutation($input: ReportIndicatorValueInput!) {
  reportIndicatorValue(input: $input) { value period source indicator { code name } unit { code } }
}
"""
REPORT_SIGNAL = """
mutation($input: ReportClusterSignalInput!) { reportClusterSignal(input: $input) { id signal lastSeenAt } }
"""

INDICATOR = "citizens.internet_users"


@dataclass
class Province:
    communes: list[str] = field(default_factory=list)
    villages: dict[str, list[str]] = field(default_factory=dict)
    stations: dict[str, str] = field(default_factory=dict)
    clusters: dict[str, list[str]] = field(default_factory=dict)


async def register_unit(platform: Platform, code: str, name: str, level: str, parent: str | None) -> None:
    unit = {"code": code, "name": name, "level": level, "parentCode": parent, "validFrom": "2020-01-01"}
    await platform.data(REGISTER_UNIT, {"input": unit})


async def build_province(platform: Platform, communes: int = 2, villages: int = 2) -> Province:
    """06 → 061 → communes 0610k → villages 0610k-Vj; one IP station per commune, a cluster per village."""
    province = Province()
    await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
    await register_unit(platform, "061", "Huyện Ba Bể", "DISTRICT", "06")
    for c in range(communes):
        commune = f"0610{c}"
        await register_unit(platform, commune, f"Xã {c}", "COMMUNE", "061")
        province.communes.append(commune)
        province.villages[commune] = []
        for v in range(villages):
            village = f"{commune}-V{v}"
            await register_unit(platform, village, f"Thôn {c}.{v}", "VILLAGE", commune)
            province.villages[commune].append(village)
        station = await platform.data(
            REGISTER_STATION, {"input": {"unitCode": commune, "technology": "IP", "installedOn": "2022-01-01"}}
        )
        province.stations[commune] = station["registerRadioStation"]["id"]
        province.clusters[commune] = []
        for village in province.villages[commune]:
            cluster = await platform.data(
                REGISTER_CLUSTER, {"input": {"stationId": province.stations[commune], "villageCode": village}}
            )
            province.clusters[commune].append(cluster["registerSpeakerCluster"]["id"])
    return province
