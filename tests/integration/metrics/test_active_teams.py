"""Active digital teams (issue #22): a team counts as active on a day when it reported activity
within the 90 days before (``TEAM_ACTIVITY_WINDOW_DAYS``, the rule the gateway's
``activityStatus`` reads), so teams that exist only on paper show as registered but not active.
Written through the registry's commands, read from the metrics service as of given days."""

from __future__ import annotations

import datetime

from contracts.registry_events import TEAM_ACTIVITY_WINDOW_DAYS
from tests.integration.metrics.conftest import Metrics
from tests.integration.metrics.test_values_http import _structure


async def _team(metrics: Metrics, unit_code: str, level: str) -> str:
    body = {"unit_code": unit_code, "level": level, "established_on": "2022-01-01", "member_count": 5}
    return str((await metrics.register("digital-teams/establish", body))["ids"][0])


async def _on(metrics: Metrics, code: str, unit_code: str, day: datetime.date) -> float | None:
    found = await metrics.value(code, unit_code, str(day.year), as_of=day.isoformat())
    value: float | None = found["value"]
    return value


async def test_a_team_is_active_for_the_window_after_each_report_and_not_after_it_is_disbanded(
    metrics: Metrics,
) -> None:
    await _structure(metrics)
    commune_team = await _team(metrics, "01864", "commune")
    await _team(metrics, "01867", "commune")  # on paper: never reports
    village_team = await _team(metrics, "01864-T01", "village")
    await metrics.register(f"digital-teams/{commune_team}/report-activity", {"reported_on": "2022-03-01"})
    # Two reports whose windows overlap: the team counts once, until 90 days after the later one.
    for day in ("2022-02-01", "2022-04-15"):
        await metrics.register(f"digital-teams/{village_team}/report-activity", {"reported_on": day})
    await metrics.register(f"digital-teams/{commune_team}/disband", {"effective_on": "2022-04-01"})
    await metrics.caught_up()

    d = datetime.date
    last_active = d(2022, 4, 15) + datetime.timedelta(days=TEAM_ACTIVITY_WINDOW_DAYS)
    assert await _on(metrics, "teams.commune.active", "061", d(2022, 2, 28)) == 0
    assert await _on(metrics, "teams.commune.active", "061", d(2022, 3, 15)) == 1
    assert await _on(metrics, "teams.commune.active", "061", d(2022, 4, 1)) == 0, "disbanded that day"
    assert await _on(metrics, "teams.village.active", "01864", d(2022, 5, 1)) == 1
    assert await _on(metrics, "teams.village.active", "01864", last_active) == 1
    assert await _on(metrics, "teams.village.active", "01864", last_active + datetime.timedelta(days=1)) == 0

    # On 2022-05-01 Ba Bể has two teams (the paper one in 01867 and the village team), one active.
    assert await _on(metrics, "teams.active_share", "061", d(2022, 5, 1)) == 50.0
    assert await _on(metrics, "teams.commune", "061", d(2022, 5, 1)) == 1
