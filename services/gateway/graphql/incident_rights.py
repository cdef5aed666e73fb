"""Whether a caller may handle an incident, as the broadcast service decides it (ADR 0051),
answered in the gateway so a console shows the buttons a key may use and none it may not.

A hint, not the rule: the service decides again in the command's transaction. It reads the
caller's principal and the gateway's unit directory (``events.directory``), with no call.
"""

from __future__ import annotations

from contracts.api.broadcast_views import IncidentView
from libs.common.principal import Principal
from services.gateway.events.directory import UnitDirectory

WRITE = "broadcast:write"


def may_handle(principal: Principal | None, directory: UnitDirectory, incident: IncidentView) -> bool:
    """Acknowledge, annotate, resolve: a writer for the incident's unit (or above it, or the unit
    it is assigned to), an operator it is assigned to, the province's writers and admins."""
    if principal is None or not principal.allows(WRITE) or incident.resolved_at is not None:
        return False
    if principal.is_admin:
        return True
    assigned = (incident.assignee_kind, incident.assignee_code)
    if principal.organisation is not None:
        return assigned == ("operator", principal.organisation)
    own = principal.unit_code
    if own is None or assigned == ("unit", own):
        return True
    own_id = directory.unit_id_for_code(own)
    return own_id is not None and directory.within(directory.unit_id_for_code(incident.unit_code), own_id)


def may_assign(principal: Principal | None, directory: UnitDirectory, incident: IncidentView) -> bool:
    """An operator handles what is assigned to it but never assigns."""
    return may_handle(principal, directory, incident) and (
        principal is None or principal.is_admin or principal.organisation is None
    )
