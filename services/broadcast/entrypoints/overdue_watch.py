"""The overdue watch: a background task that alerts the operations centre to incidents nobody
acknowledged within ``TINHSO_INCIDENT_ACK_DEADLINE_MINUTES`` (ADR 0051).

It asks the command side's index every ``INTERVAL`` seconds. The alert event and the index's mark
commit in one transaction, and the incident's stream refuses a second alert, so a restart (or a
second replica's watch, which skips the rows the first holds) neither loses an alert that fell
due while the service was down nor raises one twice.
"""

from __future__ import annotations

import asyncio
import logging

from libs.common.eventstore.context import SYSTEM
from services.broadcast.application.incidents import IncidentHandlers, WatchOverdue
from services.broadcast.domain.period import utc_now

log = logging.getLogger(__name__)

INTERVAL = 1.0
BATCH = 200


async def run_overdue_watch(incidents: IncidentHandlers, deadline_minutes: float) -> None:
    while True:
        try:
            raised = await incidents.raise_overdue(
                WatchOverdue(now=utc_now(), deadline_minutes=deadline_minutes, limit=BATCH), SYSTEM
            )
            if len(raised.ids) < BATCH:
                await asyncio.sleep(INTERVAL)
        except asyncio.CancelledError:
            raise
        except Exception:  # keep watching: a failed round is retried after a pause
            log.exception("the incident overdue watch failed; retrying in 5 s")
            await asyncio.sleep(5.0)
