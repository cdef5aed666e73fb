"""The indicator catalogue as one aggregate (stream ``catalogue``): pure decide/evolve.

One stream holds every definition so that a formula's references and the absence of cycles
are checked against the whole catalogue in a single decision; a concurrent definition
conflicts on the stream version instead of slipping a cycle in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import msgspec

from contracts.base import Event
from contracts.metrics_events import IndicatorDefined, IndicatorDefinition, IndicatorRetired, IndicatorRevised
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import Decider
from libs.common.text import clean_name, clean_text
from services.metrics.domain.formulas import compile_formula, find_cycle

STREAM = "catalogue"
CODE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+){0,5}$")
PERCENT = "%"
MAX_DEADLINE_DAYS = 366
"""A year: the longest a period's report may be due after it ends."""


@dataclass
class Catalogue:
    indicators: dict[str, IndicatorDefinition] = field(default_factory=dict)
    retired: set[str] = field(default_factory=set)

    def get(self, code: str) -> IndicatorDefinition:
        found = self.indicators.get(code)
        if found is None:
            raise NotFoundError(f"unknown indicator {code!r}", code="unknown_indicator", details={"code": code})
        return found


@dataclass(frozen=True)
class DefineIndicators:
    """Define or revise several indicators at once (they may refer to each other)."""

    definitions: Sequence[IndicatorDefinition]


@dataclass(frozen=True)
class RetireIndicator:
    code: str
    reason: str | None = None


CatalogueCommand = DefineIndicators | RetireIndicator


def references(definition: IndicatorDefinition) -> list[str]:
    if definition.method == "formula" and definition.formula:
        return compile_formula(definition.formula).references
    if definition.method == "composite":
        return sorted({c.code for c in definition.components})
    return []


def clean_definition(d: IndicatorDefinition) -> IndicatorDefinition:
    """The definition with its text NFC and free of control, format and bidirectional
    characters: names, units and groups reach partners' dashboards as stored, and are one line
    each (the registry's rule for names); a blank one is left to `check_shape` to refuse."""
    names = {
        label: clean_name(value, field=label, max_length=300) if (value := getattr(d, label)).strip() else ""
        for label in ("name_vi", "name_en", "unit", "group")
    }
    description = clean_text(d.description, field="description", max_length=2000)
    return msgspec.structs.replace(d, **names, description=description)


def check_shape(d: IndicatorDefinition) -> None:  # noqa: PLR0912 - one rule per branch
    """What one definition must satisfy on its own."""

    def bad(message: str) -> InvalidInputError:
        return InvalidInputError(f"indicator {d.code!r}: {message}", code="invalid_indicator", details={"code": d.code})

    if not CODE.match(d.code):
        raise bad("a code is lower-case dotted words (radio.communes.ip_share)")
    for label, text in (("name_vi", d.name_vi), ("name_en", d.name_en), ("unit", d.unit), ("group", d.group)):
        if not text.strip() or len(text) > 300:
            raise bad(f"{label} is 1..300 characters")
    if d.method == "formula":
        if not d.formula:
            raise bad("a formula indicator needs a formula")
        compile_formula(d.formula)
    elif d.formula:
        raise bad("only formula indicators have a formula")
    if d.method == "composite":
        if not d.components:
            raise bad("a composite needs weighted components")
        if any(not (0 < c.weight <= 1000) for c in d.components):
            raise bad("component weights are positive (at most 1000)")
        if len({c.code for c in d.components}) != len(d.components):
            raise bad("a component appears twice")
    elif d.components:
        raise bad("only composites have components")
    if d.method == "computed" and not d.fact:
        raise bad("a computed indicator names the fact it counts")
    if d.method != "computed" and d.fact:
        raise bad("only computed indicators name a fact")
    if d.fact and not CODE.match(d.fact):
        raise bad("a fact is lower-case dotted words (radio.stations.ip)")
    if d.rollup == "ratio_of_sums" and d.method != "formula":
        raise bad("ratio_of_sums rolls up formula indicators (sum the inputs, then divide)")
    if d.minimum is not None and d.maximum is not None and d.minimum > d.maximum:
        raise bad("minimum is above maximum")
    if d.reporting_deadline_days is not None:
        if d.method != "reported":
            raise bad("only reported indicators have a reporting deadline")
        if not 0 <= d.reporting_deadline_days <= MAX_DEADLINE_DAYS:
            raise bad(f"a reporting deadline is 0..{MAX_DEADLINE_DAYS} days after the period ends")


def bounds(d: IndicatorDefinition) -> tuple[float | None, float | None]:
    """The valid range of a value: percentages lie in 0..100 unless the definition says otherwise."""
    if d.unit == PERCENT:
        low = 0.0 if d.minimum is None else d.minimum
        high = 100.0 if d.maximum is None else d.maximum
        return low, high
    return d.minimum, d.maximum


def decide(command: CatalogueCommand, state: Catalogue) -> list[Event]:
    if isinstance(command, RetireIndicator):
        state.get(command.code)
        users = [c for c, d in state.indicators.items() if command.code in references(d)]
        if users:
            raise ConflictError(
                f"{command.code!r} is used by {', '.join(sorted(users))}",
                code="indicator_in_use",
                details={"used_by": sorted(users)},
            )
        return [IndicatorRetired(code=command.code, reason=clean_text(command.reason, field="reason"))]
    definitions = [clean_definition(d) for d in command.definitions]
    proposed = dict(state.indicators)
    seen: set[str] = set()
    for d in definitions:
        check_shape(d)
        if d.code in seen:
            raise InvalidInputError(f"{d.code!r} is defined twice", code="invalid_indicator")
        if d.code in state.retired:
            raise ConflictError(f"{d.code!r} was retired; codes are not reused", code="indicator_retired")
        seen.add(d.code)
        proposed[d.code] = d
    graph = {code: references(d) for code, d in proposed.items()}
    for d in definitions:
        unknown = [ref for ref in graph[d.code] if ref not in proposed]
        if unknown:
            raise InvalidInputError(
                f"indicator {d.code!r} refers to unknown indicators: {', '.join(unknown)}",
                code="unknown_reference",
                details={"code": d.code, "unknown": unknown},
            )
        cycle = find_cycle(graph, d.code)
        if cycle:
            raise InvalidInputError(
                f"indicator {d.code!r} depends on itself: {' -> '.join(cycle)}",
                code="formula_cycle",
                details={"cycle": cycle},
            )
    events: list[Event] = []
    for d in definitions:
        previous = state.indicators.get(d.code)
        if previous is None:
            events.append(IndicatorDefined(definition=d))
        elif previous != d:
            events.append(IndicatorRevised(definition=d, previous=previous))
    return events


def evolve(state: Catalogue, event: Event) -> Catalogue:
    if isinstance(event, IndicatorDefined | IndicatorRevised):
        state.indicators[event.definition.code] = event.definition
    elif isinstance(event, IndicatorRetired):
        state.indicators.pop(event.code, None)
        state.retired.add(event.code)
    return state


DECIDER: Decider[CatalogueCommand, Catalogue] = Decider("catalogue", Catalogue, evolve, decide)
