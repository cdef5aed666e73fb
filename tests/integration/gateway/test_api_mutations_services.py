"""The other mutations through /graphql: a merge, a base station, a programme, a target."""

from __future__ import annotations

from tests.integration.gateway.api_fixtures import INDICATOR, build_province, register_unit
from tests.integration.gateway.api_platform import Platform, platform

__all__ = ["platform"]


async def test_merging_two_communes_returns_the_successor_and_the_predecessors_point_to_it(platform: Platform) -> None:
    province = await build_province(platform, communes=2, villages=1)
    merged = await platform.data(
        """mutation($i: MergeUnitsInput!) { mergeUnits(input: $i) { code name validFrom parent { code } } }""",
        {
            "i": {
                "sourceCodes": province.communes,
                "successor": {"code": "06199", "name": "Xã Hợp Nhất", "level": "COMMUNE", "parentCode": "061",
                              "validFrom": "2025-07-01"},
                "effectiveDate": "2025-07-01",
            }
        },
    )  # fmt: skip
    assert merged["mergeUnits"] == {"code": "06199", "name": "Xã Hợp Nhất", "validFrom": "2025-07-01",
                                    "parent": {"code": "061"}}  # fmt: skip

    async def successor_shows() -> bool:
        before = await platform.data('{ unit(code: "06100", asOf: "2024-01-01") { validTo successors { code } } }')
        return bool(before["unit"]["successors"] == [{"code": "06199"}])

    await platform.eventually(successor_shows)


async def test_a_base_station_is_registered_for_its_operator(platform: Platform) -> None:
    await register_unit(platform, "06", "Tỉnh Bắc Kạn", "PROVINCE", None)
    await register_unit(platform, "061", "Huyện Ba Bể", "DISTRICT", "06")
    await register_unit(platform, "06100", "Xã Nam Mẫu", "COMMUNE", "061")
    # Organisations have no mutation in the contract: partners load them through the bulk import.
    vnpt = {"kind": "register_organisation", "code": "VNPT", "name": "VNPT Bắc Kạn", "organisation_kind": "telecom"}
    imported = await platform.http.post("/api/v1/import", json=[vnpt], headers=platform.auth())
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 1
    bts = await platform.data(
        """mutation($i: RegisterBtsStationInput!) {
             registerBtsStation(input: $i) { id operator technologies commissionedOn unit { code } } }""",
        {"i": {"operator": "VNPT", "unitCode": "06100", "technologies": ["G3", "G4"], "commissionedOn": "2022-03-01"}},
    )
    station = bts["registerBtsStation"]
    assert station["operator"] == "VNPT"
    assert station["technologies"] == ["G3", "G4"]
    assert station["unit"] == {"code": "06100"}
    fetched = await platform.data("query($id: ID!) { node(id: $id) { id ... on BtsStation { operator } } }",
                                  {"id": station["id"]})  # fmt: skip
    assert fetched["node"] == {"id": station["id"], "operator": "VNPT"}


async def test_a_programme_is_recorded_and_listed_for_its_producer(platform: Platform) -> None:
    await build_province(platform, communes=1, villages=1)
    answer = await platform.data(
        """mutation($i: RecordProgrammeInput!) {
             recordProgramme(input: $i) { id title airDate newsItems articles durationSeconds segments
                                          producer { code } deliveries { status } } }""",
        {"i": {"title": "Bản tin Ba Bể", "producerCode": "061", "airDate": "2022-05-02", "newsItems": 8,
               "articles": 3, "durationSeconds": 900, "segments": ["Xây dựng Đảng"]}},
    )  # fmt: skip
    recorded = answer["recordProgramme"]
    assert recorded["title"] == "Bản tin Ba Bể"
    assert recorded["producer"] == {"code": "061"}
    assert recorded["segments"] == ["Xây dựng Đảng"]
    assert recorded["deliveries"] == []
    later = await platform.data(
        """mutation($i: RecordProgrammeInput!) { recordProgramme(input: $i) { id } }""",
        {"i": {"title": "Bản tin tháng 6", "producerCode": "061", "airDate": "2022-06-01", "newsItems": 5,
               "articles": 1, "durationSeconds": 600, "segments": []}},
    )  # fmt: skip
    listed = await platform.data(
        '{ programmes(producerCode: "061", first: 1) { totalCount edges { node { id } } pageInfo { hasNextPage } } }'
    )
    # Oldest first; the total counts every matching programme, not the page.
    assert [e["node"]["id"] for e in listed["programmes"]["edges"]] == [recorded["id"]]
    assert listed["programmes"]["pageInfo"]["hasNextPage"] is True
    assert listed["programmes"]["totalCount"] == 2
    fetched = await platform.data(
        "query($id: ID!) { node(id: $id) { id ... on Programme { title airDate } } }",
        {"id": later["recordProgramme"]["id"]},
    )
    assert fetched["node"] == {
        "id": later["recordProgramme"]["id"],
        "title": "Bản tin tháng 6",
        "airDate": "2022-06-01",
    }


async def test_a_target_is_set_and_read_with_the_value(platform: Platform) -> None:
    province = await build_province(platform, communes=1, villages=1)
    commune = province.communes[0]
    await platform.data(
        "mutation($i: ReportIndicatorValueInput!) { reportIndicatorValue(input: $i) { value } }",
        {"i": {"indicatorCode": INDICATOR, "unitCode": commune, "period": "2023", "value": 40.0}},
    )
    target = await platform.data(
        "mutation($i: SetIndicatorTargetInput!) { setIndicatorTarget(input: $i) { value target period } }",
        {"i": {"indicatorCode": INDICATOR, "unitCode": commune, "year": 2023, "target": 60.0}},
    )
    assert target["setIndicatorTarget"] == {"value": 40.0, "target": 60.0, "period": "2023"}
