"""End to end through /graphql only: writes become commands, one nested query reads them back
with one internal call per service per level."""

from __future__ import annotations

from tests.integration.gateway.api_fixtures import (
    INDICATOR,
    RECORD_RELAY,
    REPORT_SIGNAL,
    REPORT_VALUE,
    build_province,
)
from tests.integration.gateway.api_platform import Platform, platform

__all__ = ["platform"]

DASHBOARD = """
query($period: Period!, $codes: [String!]) {
  units(level: COMMUNE, first: 50) {
    totalCount
    edges {
      cursor
      node {
        code name parent { code }
        radioStation {
          technology
          airtime(period: $period) { source seconds }
          clusters { id signal lastSeenAt village { code name } }
        }
        indicators(period: $period, codes: $codes) { value indicator { code } }
      }
    }
  }
}
"""


async def test_a_nested_query_reads_units_stations_clusters_and_indicators_in_one_call_per_service_per_level(
    platform: Platform,
) -> None:
    province = await build_province(platform, communes=3, villages=3)
    first_commune = province.communes[0]
    await platform.data(
        RECORD_RELAY,
        {
            "input": {
                "stationId": province.stations[first_commune],
                "source": "VOV1",
                "startedAt": "2023-03-01T05:00:00+07:00",
                "endedAt": "2023-03-01T06:30:00+07:00",
            }
        },
    )
    reported = await platform.data(
        REPORT_VALUE,
        {"input": {"indicatorCode": INDICATOR, "unitCode": first_commune, "period": "2023", "value": 61.5}},
    )
    assert reported["reportIndicatorValue"]["value"] == 61.5
    assert reported["reportIndicatorValue"]["unit"]["code"] == first_commune
    down = province.clusters[first_commune][0]
    signal = await platform.data(
        REPORT_SIGNAL, {"input": {"clusterId": down, "signal": "NO_SIGNAL", "observedAt": "2023-03-02T08:00:00+07:00"}}
    )
    assert signal["reportClusterSignal"]["signal"] == "NO_SIGNAL"

    async def airtime_shows() -> bool:
        result = await platform.data(DASHBOARD, {"period": "2023", "codes": [INDICATOR]})
        node = result["units"]["edges"][0]["node"]
        return bool(node["radioStation"]["airtime"])

    await platform.eventually(airtime_shows)
    result = await platform.graphql(DASHBOARD, {"period": "2023", "codes": [INDICATOR]})

    assert not result.get("errors"), result["errors"]
    edges = result["data"]["units"]["edges"]
    assert [e["node"]["code"] for e in edges] == province.communes
    assert result["data"]["units"]["totalCount"] == 3
    first = edges[0]["node"]
    assert first["parent"]["code"] == "061"
    assert first["radioStation"]["technology"] == "IP"
    assert first["radioStation"]["airtime"] == [{"source": "VOV1", "seconds": 5400}]
    clusters = {c["id"]: c for c in first["radioStation"]["clusters"]}
    assert set(clusters) == set(province.clusters[first_commune])
    assert clusters[down]["signal"] == "NO_SIGNAL"
    assert clusters[down]["lastSeenAt"] is not None
    assert sorted(c["village"]["code"] for c in clusters.values()) == province.villages[first_commune]
    assert first["indicators"] == [{"value": 61.5, "indicator": {"code": INDICATOR}}]
    # Metrics answers every unit asked about; one that never reported has no value.
    assert edges[1]["node"]["indicators"] == [{"value": None, "indicator": {"code": INDICATOR}}]
    assert all(c["signal"] == "UNKNOWN" for c in edges[1]["node"]["radioStation"]["clusters"])

    # 3 units, 3 stations, 9 clusters, 9 villages: still one call per service per level.
    # registry: the unit list, parents, stations, clusters, villages (5 levels); broadcast:
    # airtime (station level) and signal (cluster level); metrics: values (unit level) and the
    # indicators' names (value level).
    calls = result["extensions"]["internalCalls"]
    assert calls == {"registry": 5, "broadcast": 2, "metrics": 2}

    # Children of every unit of a level come in one call too, with their totals and cursors;
    # paging on from a cursor is a call for that one parent.
    tree = await platform.graphql(TREE)
    assert not tree.get("errors"), tree["errors"]
    [district] = tree["data"]["unit"]["children"]["edges"]
    communes = district["node"]["children"]
    assert communes["totalCount"] == 3
    assert communes["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["code"] for e in communes["edges"]] == province.communes[:2]
    for edge in communes["edges"]:
        code = edge["node"]["code"]
        assert [v["node"]["code"] for v in edge["node"]["children"]["edges"]] == province.villages[code]
        assert edge["node"]["children"]["totalCount"] == 3
    # registry: the province by code, its children, theirs, theirs (4 levels).
    assert tree["extensions"]["internalCalls"] == {"registry": 4}

    rest = await platform.data(NEXT_CHILDREN, {"after": communes["pageInfo"]["endCursor"]})
    assert [e["node"]["code"] for e in rest["unit"]["children"]["edges"]] == province.communes[2:]
    assert rest["unit"]["children"]["pageInfo"]["hasNextPage"] is False


TREE = """
query {
  unit(code: "06") {
    children {
      edges { node { code children(first: 2) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { code children { totalCount edges { node { code } } } } }
      } } }
    }
  }
}
"""

NEXT_CHILDREN = """
query($after: String!) {
  unit(code: "061") { children(first: 2, after: $after) { pageInfo { hasNextPage } edges { node { code } } } }
}
"""
