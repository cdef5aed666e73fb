"""Events of the broadcast service's topic.

Empty for now: the broadcast service's domain events are added by their own issues. Each
new type goes into the list below (and ``python -m contracts.generate`` is run).
"""

from __future__ import annotations

from contracts.catalogue import EventCatalogue

CATALOGUE = EventCatalogue("broadcast", [])
