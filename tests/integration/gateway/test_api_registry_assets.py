"""The registry's assets through the gateway, in GraphQL and REST (``mutations_registry``,
``queries_registry``, ``rest/registry_routes``): digital teams and their activity status,
stations, clusters and their coordinates, base stations, fibre, postal points, endpoints,
hotspots, information systems; and the listings a partner reads its own assets back with,
by unit subtree, operator, technology and day, paged with their total."""

from __future__ import annotations

from typing import Any

from tests.integration.gateway.api_fixtures import REGISTER_CLUSTER, REGISTER_STATION
from tests.integration.gateway.registry_platform import RegistryPlatform, registry

__all__ = ["registry"]

TEAM = "id level memberCount active activityReports lastActivityOn disbandedOn unit { code }"
ESTABLISH = f"mutation($input: EstablishDigitalTeamInput!) {{ establishDigitalTeam(input: $input) {{ {TEAM} }} }}"
MEMBERS = f"mutation($input: ChangeDigitalTeamMembersInput!) {{ changeDigitalTeamMembers(input: $input) {{ {TEAM} }} }}"
ACTIVITY = """mutation($input: ReportDigitalTeamActivityInput!, $on: Date) {
  reportDigitalTeamActivity(input: $input) { activityReports lastActivityOn activityStatus(asOf: $on) } }"""
DISBAND = "mutation($input: DisbandDigitalTeamInput!) { disbandDigitalTeam(input: $input) { active activityStatus } }"
STATION = "id technology status upgradedOn statusSince operatorCode"
UPGRADE = f"mutation($input: UpgradeRadioStationInput!) {{ upgradeRadioStation(input: $input) {{ {STATION} }} }}"
STATUS = (
    f"mutation($input: ChangeRadioStationStatusInput!) {{ changeRadioStationStatus(input: $input) {{ {STATION} }} }}"
)
ASSIGN = """mutation($input: AssignAssetOperatorInput!) {
  assignAssetOperator(input: $input) { id ... on RadioStation { operatorCode } } }"""
DECOMMISSION_CLUSTER = """mutation($input: DecommissionSpeakerClusterInput!) {
  decommissionSpeakerCluster(input: $input) { status decommissionedOn location { latitude longitude } } }"""
BTS = "mutation($input: RegisterBtsStationInput!) { registerBtsStation(input: $input) { id } }"
BTS_TECHNOLOGIES = """mutation($input: ChangeBtsTechnologiesInput!) {
  changeBtsTechnologies(input: $input) { technologies status } }"""
DECOMMISSION_BTS = """mutation($input: DecommissionBtsStationInput!) {
  decommissionBtsStation(input: $input) { status decommissionedOn } }"""
FIBRE = """mutation($input: ConnectVillageFibreInput!) {
  connectVillageFibre(input: $input) { operatorCode connectedOn village { code } } }"""
OPEN_POINT = """mutation($input: OpenPostalPointInput!) {
  openPostalPoint(input: $input) { id name status operator { code } unit { code } } }"""
CLOSE_POINT = "mutation($input: ClosePostalPointInput!) { closePostalPoint(input: $input) { status closedOn } }"
VIDEO = "mutation($input: RegisterVideoEndpointInput!) { registerVideoEndpoint(input: $input) { id unit { code } } }"
WIFI = """mutation($input: RegisterWifiHotspotInput!) {
  registerWifiHotspot(input: $input) { id location { latitude longitude } operator { code } } }"""
SYSTEM = """mutation($input: RegisterInformationSystemInput!) {
  registerInformationSystem(input: $input) { id name hostedInDataCentre securityLevel } }"""
APPROVE = """mutation($input: ApproveSecurityLevelInput!) {
  approveSecurityLevel(input: $input) { securityLevel approvedOn decision } }"""
HOSTING = """mutation($input: ChangeDataCentreHostingInput!) {
  changeDataCentreHosting(input: $input) { id hostedInDataCentre } }"""


async def station_in(registry: RegistryPlatform, commune: str, technology: str = "WIRED") -> str:
    station = {"unitCode": commune, "technology": technology, "operatorCode": "VNPT", "installedOn": "2020-01-01"}
    return str((await registry.data(REGISTER_STATION, {"input": station}))["registerRadioStation"]["id"])


async def bts_in(registry: RegistryPlatform, commune: str, technologies: list[str], on: str = "2020-01-01") -> str:
    bts = {"operator": "VNPT", "unitCode": commune, "technologies": technologies, "commissionedOn": on}
    return str((await registry.data(BTS, {"input": bts}, who="vnpt"))["registerBtsStation"]["id"])


async def team_in(registry: RegistryPlatform, village: str) -> dict[str, Any]:
    team = {"unitCode": village, "level": "VILLAGE", "establishedOn": "2024-01-01", "memberCount": 5}
    made: dict[str, Any] = (await registry.data(ESTABLISH, {"input": team}, who="centre"))["establishDigitalTeam"]
    return made


class TestEstablishDigitalTeam:
    async def test_a_centre_establishes_a_village_team_that_has_not_reported_yet(
        self, registry: RegistryPlatform
    ) -> None:
        village = f"{await registry.commune(villages=1)}-V1"
        team = await team_in(registry, village)
        assert team == team | {"level": "VILLAGE", "memberCount": 5, "active": True, "activityReports": 0}
        assert team["unit"] == {"code": village}
        node = "query($id: ID!) { node(id: $id) { ... on DigitalTeam { activityStatus } } }"
        status = await registry.data(node, {"id": team["id"]})
        assert status["node"]["activityStatus"] == "NEVER_REPORTED"

    async def test_an_operator_may_not_establish_one(self, registry: RegistryPlatform) -> None:
        village = f"{await registry.commune(villages=1)}-V1"
        team = {"unitCode": village, "level": "VILLAGE", "establishedOn": "2024-01-01", "memberCount": 5}
        assert (await registry.error(ESTABLISH, {"input": team}, who="vnpt"))["extensions"]["code"] == "FORBIDDEN"


class TestChangeDigitalTeamMembers:
    async def test_members_joined_change_the_count(self, registry: RegistryPlatform) -> None:
        team = await team_in(registry, f"{await registry.commune(villages=1)}-V1")
        change = {"teamId": team["id"], "memberCount": 8, "effectiveDate": "2024-05-01"}
        changed = (await registry.data(MEMBERS, {"input": change}, who="centre"))["changeDigitalTeamMembers"]
        assert changed["memberCount"] == 8


class TestReportDigitalTeamActivity:
    async def test_a_report_makes_the_team_active_for_a_quarter_then_dormant_and_a_retry_counts_once(
        self, registry: RegistryPlatform
    ) -> None:
        team = await team_in(registry, f"{await registry.commune(villages=1)}-V1")
        report = {"teamId": team["id"], "reportedOn": "2024-06-01", "householdsSupported": 30}
        report["idempotencyKey"] = f"activity-{team['id']}"
        first = await registry.data(ACTIVITY, {"input": report, "on": "2024-07-01"}, who="centre")
        assert first["reportDigitalTeamActivity"] == {
            "activityReports": 1,
            "lastActivityOn": "2024-06-01",
            "activityStatus": "ACTIVE",
        }
        again = await registry.data(ACTIVITY, {"input": report, "on": "2025-01-01"}, who="centre")
        assert again["reportDigitalTeamActivity"]["activityReports"] == 1
        assert again["reportDigitalTeamActivity"]["activityStatus"] == "DORMANT"


class TestDisbandDigitalTeam:
    async def test_a_disbanded_team_is_inactive_and_listed_only_before_its_day(
        self, registry: RegistryPlatform
    ) -> None:
        commune = await registry.commune(villages=1)
        team = await team_in(registry, f"{commune}-V1")
        disband = {"teamId": team["id"], "effectiveDate": "2024-09-01"}
        disbanded = (await registry.data(DISBAND, {"input": disband}, who="centre"))["disbandDigitalTeam"]
        assert disbanded == {"active": False, "activityStatus": "DISBANDED"}
        listing = "query($u: String, $d: Date) { digitalTeams(unitCode: $u, asOf: $d) { totalCount } }"
        assert (await registry.data(listing, {"u": commune, "d": "2024-08-31"}))["digitalTeams"]["totalCount"] == 1
        assert (await registry.data(listing, {"u": commune, "d": "2024-09-01"}))["digitalTeams"]["totalCount"] == 0


class TestUpgradeRadioStation:
    async def test_vnpt_upgrades_its_station_and_viettel_may_not(self, registry: RegistryPlatform) -> None:
        station = await station_in(registry, await registry.commune())
        upgrade = {"stationId": station, "technology": "IP", "upgradedOn": "2024-03-01"}
        assert (await registry.error(UPGRADE, {"input": upgrade}, who="viettel"))["extensions"]["code"] == "FORBIDDEN"
        upgraded = (await registry.data(UPGRADE, {"input": upgrade}, who="vnpt"))["upgradeRadioStation"]
        assert (upgraded["technology"], upgraded["upgradedOn"]) == ("IP", "2024-03-01")


class TestChangeRadioStationStatus:
    async def test_a_decommissioned_station_leaves_the_listing_from_its_day(self, registry: RegistryPlatform) -> None:
        commune = await registry.commune()
        station = await station_in(registry, commune)
        change = {"stationId": station, "status": "DECOMMISSIONED", "effectiveDate": "2024-09-01"}
        changed = (await registry.data(STATUS, {"input": change}, who="centre"))["changeRadioStationStatus"]
        assert (changed["status"], changed["statusSince"]) == ("DECOMMISSIONED", "2024-09-01")
        listing = "query($u: String, $d: Date) { radioStations(unitCode: $u, asOf: $d) { totalCount } }"
        assert (await registry.data(listing, {"u": commune, "d": "2024-08-31"}))["radioStations"]["totalCount"] == 1
        assert (await registry.data(listing, {"u": commune, "d": "2024-09-01"}))["radioStations"]["totalCount"] == 0


class TestAssignAssetOperator:
    async def test_a_station_handed_to_viettel_is_viettels_to_upgrade(self, registry: RegistryPlatform) -> None:
        station = await station_in(registry, await registry.commune())
        assign = {"assetId": station, "organisationCode": "VIETTEL", "effectiveDate": "2024-05-01"}
        assigned = (await registry.data(ASSIGN, {"input": assign}, who="centre"))["assignAssetOperator"]
        assert assigned == {"id": station, "operatorCode": "VIETTEL"}
        upgrade = {"stationId": station, "technology": "FM", "upgradedOn": "2024-06-01"}
        upgraded = await registry.data(UPGRADE, {"input": upgrade}, who="viettel")
        assert upgraded["upgradeRadioStation"]["technology"] == "FM"

    async def test_an_id_that_names_no_asset_kind_is_a_validation_error(self, registry: RegistryPlatform) -> None:
        assign = {"assetId": "AdministrativeUnit:x", "organisationCode": "VIETTEL", "effectiveDate": "2024-05-01"}
        assert (await registry.error(ASSIGN, {"input": assign}))["extensions"]["code"] == "VALIDATION"


class TestDecommissionSpeakerCluster:
    async def test_a_cluster_keeps_its_coordinates_once_decommissioned(self, registry: RegistryPlatform) -> None:
        station = await station_in(registry, await registry.commune())
        cluster = {"stationId": station, "latitude": 22.41, "longitude": 105.62, "installedOn": "2021-01-01"}
        made = (await registry.data(REGISTER_CLUSTER, {"input": cluster}))["registerSpeakerCluster"]
        decommission = {"clusterId": made["id"], "effectiveDate": "2024-10-01", "reason": "bão"}
        done = await registry.data(DECOMMISSION_CLUSTER, {"input": decommission}, who="vnpt")
        assert done["decommissionSpeakerCluster"] == {
            "status": "decommissioned",
            "decommissionedOn": "2024-10-01",
            "location": {"latitude": 22.41, "longitude": 105.62},
        }


class TestChangeBtsTechnologies:
    async def test_vnpt_adds_5g_to_its_base_station(self, registry: RegistryPlatform) -> None:
        bts = await bts_in(registry, await registry.commune(), ["G3", "G4"])
        change = {"btsId": bts, "technologies": ["G4", "G5"], "effectiveDate": "2025-01-01"}
        changed = (await registry.data(BTS_TECHNOLOGIES, {"input": change}, who="vnpt"))["changeBtsTechnologies"]
        assert changed == {"technologies": ["G4", "G5"], "status": "active"}


class TestDecommissionBtsStation:
    async def test_viettel_may_not_and_vnpt_does(self, registry: RegistryPlatform) -> None:
        bts = await bts_in(registry, await registry.commune(), ["G4"])
        decommission = {"btsId": bts, "effectiveDate": "2025-02-01"}
        refused = await registry.error(DECOMMISSION_BTS, {"input": decommission}, who="viettel")
        assert refused["extensions"]["code"] == "FORBIDDEN"
        done = (await registry.data(DECOMMISSION_BTS, {"input": decommission}, who="vnpt"))["decommissionBtsStation"]
        assert done == {"status": "decommissioned", "decommissionedOn": "2025-02-01"}


class TestConnectVillageFibre:
    async def test_vnpt_connects_a_village_and_reads_it_back_by_operator(self, registry: RegistryPlatform) -> None:
        commune = await registry.commune(villages=2)
        fibre = {"villageCode": f"{commune}-V2", "operatorCode": "VNPT", "connectedOn": "2023-05-01"}
        made = (await registry.data(FIBRE, {"input": fibre}, who="vnpt"))["connectVillageFibre"]
        assert made == {"operatorCode": "VNPT", "connectedOn": "2023-05-01", "village": {"code": f"{commune}-V2"}}
        listing = """query($u: String, $o: String, $d: Date) {
          villageFibre(unitCode: $u, operatorCode: $o, asOf: $d) { totalCount edges { node { village { code } } } } }"""
        mine = (await registry.data(listing, {"u": commune, "o": "VNPT"}, who="vnpt"))["villageFibre"]
        assert mine == {"totalCount": 1, "edges": [{"node": {"village": {"code": f"{commune}-V2"}}}]}
        assert (await registry.data(listing, {"u": commune, "o": "VIETTEL"}))["villageFibre"]["totalCount"] == 0
        assert (await registry.data(listing, {"u": commune, "d": "2023-04-30"}))["villageFibre"]["totalCount"] == 0


class TestOpenPostalPoint:
    async def test_the_post_opens_its_own_point_and_vnpt_may_not_open_one_for_it(
        self, registry: RegistryPlatform
    ) -> None:
        commune = await registry.commune()
        point = {"unitCode": commune, "name": "Điểm BĐVHX", "openedOn": "2022-01-01"}
        made = (await registry.data(OPEN_POINT, {"input": point}, who="post"))["openPostalPoint"]
        assert made | {"id": None} == {
            "id": None,
            "name": "Điểm BĐVHX",
            "status": "open",
            "operator": {"code": "VNPOST"},
            "unit": {"code": commune},
        }
        for_the_post = point | {"operatorCode": "VNPOST"}
        refused = await registry.error(OPEN_POINT, {"input": for_the_post}, who="vnpt")
        assert refused["extensions"]["code"] == "FORBIDDEN"


class TestClosePostalPoint:
    async def test_a_closed_point_is_listed_as_closed(self, registry: RegistryPlatform) -> None:
        commune = await registry.commune()
        point = {"unitCode": commune, "name": "Bưu cục", "openedOn": "2022-01-01"}
        made = (await registry.data(OPEN_POINT, {"input": point}, who="post"))["openPostalPoint"]
        close = {"pointId": made["id"], "effectiveDate": "2024-12-01"}
        closed = await registry.data(CLOSE_POINT, {"input": close}, who="post")
        assert closed["closePostalPoint"] == {"status": "closed", "closedOn": "2024-12-01"}
        listing = "query($u: String, $s: String) { postalPoints(unitCode: $u, status: $s) { totalCount } }"
        assert (await registry.data(listing, {"u": commune, "s": "closed"}))["postalPoints"]["totalCount"] == 1
        assert (await registry.data(listing, {"u": commune, "s": "open"}))["postalPoints"]["totalCount"] == 0


class TestRegisterVideoEndpoint:
    async def test_a_centre_registers_a_communes_endpoint(self, registry: RegistryPlatform) -> None:
        commune = await registry.commune()
        made = await registry.data(VIDEO, {"input": {"unitCode": commune, "installedOn": "2023-01-01"}}, who="centre")
        assert made["registerVideoEndpoint"]["unit"] == {"code": commune}
        listing = "query($u: String) { videoEndpoints(unitCode: $u) { totalCount } }"
        assert (await registry.data(listing, {"u": commune}))["videoEndpoints"]["totalCount"] == 1


class TestRegisterWifiHotspot:
    async def test_vnpt_registers_its_hotspot_with_coordinates(self, registry: RegistryPlatform) -> None:
        hotspot = {"unitCode": await registry.commune(), "latitude": 22.1, "longitude": 105.8}
        made = (await registry.data(WIFI, {"input": hotspot}, who="vnpt"))["registerWifiHotspot"]
        assert (made["location"], made["operator"]) == ({"latitude": 22.1, "longitude": 105.8}, {"code": "VNPT"})


class TestRegisterInformationSystem:
    async def test_the_province_registers_a_system_and_a_centre_may_not(self, registry: RegistryPlatform) -> None:
        system = {"name": "Cổng dịch vụ công", "ownerAgency": "VP UBND", "hostedInDataCentre": True}
        made = (await registry.data(SYSTEM, {"input": system}))["registerInformationSystem"]
        assert made | {"id": None} == {
            "id": None,
            "name": "Cổng dịch vụ công",
            "hostedInDataCentre": True,
            "securityLevel": None,
        }
        assert (await registry.error(SYSTEM, {"input": system}, who="centre"))["extensions"]["code"] == "FORBIDDEN"


class TestApproveSecurityLevel:
    async def test_an_approved_level_is_read_with_its_decision(self, registry: RegistryPlatform) -> None:
        system = {"name": "Một cửa điện tử", "ownerAgency": "Sở TTTT", "hostedInDataCentre": False}
        made = (await registry.data(SYSTEM, {"input": system}))["registerInformationSystem"]
        approve = {"systemId": made["id"], "level": 3, "approvedOn": "2024-02-01", "decision": "QĐ 12/QĐ-UBND"}
        approved = (await registry.data(APPROVE, {"input": approve}))["approveSecurityLevel"]
        assert approved == {"securityLevel": 3, "approvedOn": "2024-02-01", "decision": "QĐ 12/QĐ-UBND"}


class TestChangeDataCentreHosting:
    async def test_the_province_moves_a_system_in_by_graphql_and_out_by_rest_once_per_key(
        self, registry: RegistryPlatform
    ) -> None:
        system = {"name": "Hệ thống báo cáo", "ownerAgency": "Sở KH&ĐT", "hostedInDataCentre": False}
        made = (await registry.data(SYSTEM, {"input": system}))["registerInformationSystem"]
        move_in = {"systemId": made["id"], "hostedInDataCentre": True, "effectiveOn": "2024-03-01"}
        moved = (await registry.data(HOSTING, {"input": move_in}))["changeDataCentreHosting"]
        assert moved == {"id": made["id"], "hostedInDataCentre": True}
        refused = await registry.error(HOSTING, {"input": move_in}, who="centre")
        assert refused["extensions"]["code"] == "FORBIDDEN"

        http, auth = registry.platform.http, registry.platform.auth
        raw_id = made["id"].split(":", 1)[1]
        path = f"/api/v1/information-systems/{raw_id}/change-hosting"
        body = {"hosted_in_data_centre": False, "effective_on": "2025-01-01"}
        headers = {**auth(), "Idempotency-Key": f"out-{raw_id}"}
        first = await http.post(path, json=body, headers=headers)
        again = await http.post(path, json=body, headers=headers)
        assert (first.status_code, again.status_code) == (200, 200), first.text
        assert (first.json(), again.json()) == (
            {"ids": [raw_id], "replayed": False},
            {"ids": [raw_id], "replayed": True},
        )
        early = await http.post(path, json={**body, "effective_on": "2024-01-01"}, headers=auth())
        assert (early.status_code, early.json()["code"]) == (400, "date_out_of_order")
        unknown = await http.post("/api/v1/information-systems/nope/change-hosting", json=body, headers=auth())
        assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_information_system")

        async def listed_outside() -> bool:
            listed = await http.get("/api/v1/information-systems", params={"status": "not_hosted"}, headers=auth())
            return raw_id in [s["system_id"] for s in listed.json()["items"]]

        assert await registry.platform.eventually(listed_outside)


# --- listings -------------------------------------------------------------------------------------

STATIONS = """query($u: String, $o: String, $t: StationTechnology, $first: Int, $after: String) {
  radioStations(unitCode: $u, operatorCode: $o, technology: $t, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id technology unit { code } clusters { signal location { latitude longitude } } } } } }"""


class TestRadioStations:
    async def test_a_district_lists_its_stations_with_signal_and_cluster_coordinates_page_by_page(
        self, registry: RegistryPlatform
    ) -> None:
        communes = [await registry.commune(), await registry.commune()]
        stations = [await station_in(registry, c, "IP") for c in communes]
        cluster = {"stationId": stations[0], "latitude": 22.3, "longitude": 105.7}
        await registry.data(REGISTER_CLUSTER, {"input": cluster})
        seen: list[dict[str, Any]] = []
        after = None
        while True:
            page = (await registry.data(STATIONS, {"u": "061", "t": "IP", "first": 1, "after": after}))["radioStations"]
            seen += [e["node"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert page["totalCount"] == len(seen)
        assert set(stations) <= {s["id"] for s in seen}
        assert all(s["unit"]["code"].startswith("061") for s in seen)
        first = next(s for s in seen if s["id"] == stations[0])
        assert first["clusters"] == [{"signal": "UNKNOWN", "location": {"latitude": 22.3, "longitude": 105.7}}]

    async def test_rest_lists_the_same_page_and_a_reader_without_read_is_refused(
        self, registry: RegistryPlatform
    ) -> None:
        commune = await registry.commune()
        await station_in(registry, commune)
        graphql = (await registry.data(STATIONS, {"u": commune}))["radioStations"]
        http, auth = registry.platform.http, registry.platform.auth
        response = await http.get("/api/v1/radio-stations", params={"unit_code": commune}, headers=auth("vnpt"))
        assert response.status_code == 200, response.text
        assert (response.json()["total_count"], response.json()["items"][0]["station_id"]) == (
            graphql["totalCount"],
            graphql["edges"][0]["node"]["id"].split(":", 1)[1],
        )
        refused = await http.get("/api/v1/radio-stations", headers=auth("blind"))
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
        unknown = await http.get("/api/v1/radio-stations", params={"unit_code": "NOPE"}, headers=auth("vnpt"))
        assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_unit")


class TestBtsStations:
    async def test_an_operator_lists_its_own_by_unit_technology_and_day(self, registry: RegistryPlatform) -> None:
        commune = await registry.commune()
        old = await bts_in(registry, commune, ["G3"], "2020-06-01")
        new = await bts_in(registry, commune, ["G4", "G5"], "2024-01-01")
        listing = """query($u: String, $o: String, $t: RadioTech, $d: Date) {
          btsStations(unitCode: $u, operatorCode: $o, technology: $t, asOf: $d) { edges { node { id } } } }"""

        async def ids(**filters: Any) -> list[str]:
            found = (await registry.data(listing, {"u": commune, **filters}, who="vnpt"))["btsStations"]
            return sorted(e["node"]["id"] for e in found["edges"])

        assert await ids(o="VNPT") == sorted([old, new])
        assert await ids(o="VIETTEL") == []
        assert await ids(t="G5") == [new]
        assert await ids(d="2021-01-01") == [old]

    async def test_a_filter_a_kind_does_not_have_is_a_coded_400(self, registry: RegistryPlatform) -> None:
        http, auth = registry.platform.http, registry.platform.auth
        response = await http.get("/api/v1/information-systems", params={"unit_code": "061"}, headers=auth("vnpt"))
        assert (response.status_code, response.json()["code"]) == (400, "invalid_query")
