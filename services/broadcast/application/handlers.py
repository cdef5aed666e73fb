"""Every broadcast command's handler, built once by the composition root (``app.py``) on one executor."""

from __future__ import annotations

from dataclasses import dataclass

from libs.common.eventstore.commands import CommandExecutor
from services.broadcast.application.alerts import AlertHandlers
from services.broadcast.application.batches import BatchHandlers
from services.broadcast.application.incidents import IncidentHandlers
from services.broadcast.application.outreach import OutreachHandlers
from services.broadcast.application.programmes import ProgrammeHandlers
from services.broadcast.application.relays import RelayHandlers
from services.broadcast.application.schedules import ScheduleHandlers
from services.broadcast.application.signal import SignalHandlers
from services.broadcast.application.source_bulletins import SourceBulletinHandlers


@dataclass(frozen=True, slots=True)
class BroadcastHandlers:
    programmes: ProgrammeHandlers
    relays: RelayHandlers
    signal: SignalHandlers
    outreach: OutreachHandlers
    alerts: AlertHandlers
    batches: BatchHandlers
    incidents: IncidentHandlers
    schedules: ScheduleHandlers
    source_bulletins: SourceBulletinHandlers

    @classmethod
    def on(cls, executor: CommandExecutor) -> BroadcastHandlers:
        return cls(
            programmes=ProgrammeHandlers(executor),
            relays=RelayHandlers(executor),
            signal=SignalHandlers(executor),
            outreach=OutreachHandlers(executor),
            alerts=AlertHandlers(executor),
            batches=BatchHandlers(executor),
            incidents=IncidentHandlers(executor),
            schedules=ScheduleHandlers(executor),
            source_bulletins=SourceBulletinHandlers(executor),
        )
