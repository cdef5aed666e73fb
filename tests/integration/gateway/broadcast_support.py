"""What the broadcast tests through the gateway share: waiting for the broadcast service to know
the province built through /graphql (its view of the registry follows the log)."""

from __future__ import annotations

import datetime

from tests.integration.gateway.api_fixtures import Province
from tests.integration.gateway.api_platform import Platform


async def stations_known_to_broadcast(platform: Platform, province: Province, district: str = "061") -> None:
    """Wait until the broadcast service knows every station of the province (and so its units),
    read through the gateway's signal health: commands naming them are refused until then."""
    year = datetime.datetime.now(datetime.UTC).year
    query = f'{{ signalHealth(unitCode: "{district}", period: "{year}") {{ stations {{ unitCode }} }} }}'

    async def known() -> bool:
        result = await platform.graphql(query)
        return not result.get("errors") and len(result["data"]["signalHealth"]["stations"]) == len(province.stations)

    await platform.eventually(known)
