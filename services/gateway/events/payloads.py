"""What of a live event a subscriber may see: the events of its units, without people's names
unless it holds ``personal-data``.

The same event goes to many subscribers with different rights, so the hub keeps it whole and
each subscription filters what it passes on. Which fields name people is declared once, on the
event types in ``contracts`` (``Event.PERSONAL_DATA``); this module only applies it. See
docs/adr/0020-read-authorization.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from contracts.services import all_topics
from libs.common.principal import Principal
from services.gateway.events.directory import UnitDirectory
from services.gateway.events.hub import LiveEvent
from services.gateway.graphql.reading import PERSONAL_DATA

PERSONAL_FIELDS: Mapping[str, frozenset[str]] = {
    name: cls.PERSONAL_DATA
    for topic in all_topics()
    for name, cls in topic.catalogue.types.items()
    if cls.PERSONAL_DATA
}
"""Event type → the fields of its data that name people."""


def visible_data(event: LiveEvent, principal: Principal) -> dict[str, Any]:
    """The event's data as ``principal`` may see it: whole, or without the fields naming people."""
    hidden = PERSONAL_FIELDS.get(event.type)
    if not hidden or principal.allows(PERSONAL_DATA):
        return event.data
    return {key: value for key, value in event.data.items() if key not in hidden}


def visible_json(event: LiveEvent, principal: Principal) -> dict[str, Any] | msgspec.Raw:
    """:func:`visible_data` for a message encoded with msgspec: the JSON the event's record
    carried, when the principal may see it whole and the event kept it."""
    if event.data_json is not None and (event.type not in PERSONAL_FIELDS or principal.allows(PERSONAL_DATA)):
        return event.data_json
    return visible_data(event, principal)


def within_reach(principal: Principal, directory: UnitDirectory) -> Callable[[LiveEvent], bool]:
    """Which events ``principal`` may receive at all: every one, or for a caller bound to a unit
    (a district centre), those about that unit and the units under it. An event the directory
    cannot place in a unit is not one of its units' events, so it does not go to such a caller."""
    code = principal.unit_code
    if code is None:
        return lambda _: True

    def reaches(event: LiveEvent) -> bool:
        # Looked up per event: the caller's unit may be registered after it subscribed.
        own = directory.unit_id_for_code(code)
        return own is not None and directory.within(event.unit_id, own)

    return reaches
