"""The catalogue aggregate: definitions checked against the whole catalogue."""

from __future__ import annotations

import msgspec
import pytest

from contracts.metrics_events import Component, IndicatorDefined, IndicatorDefinition, IndicatorRevised
from libs.common.errors import ConflictError, DomainError
from services.metrics.domain import catalogue
from services.metrics.seed.indicators import province_indicators

COUNT = IndicatorDefinition(
    code="x.count", name_vi="x", name_en="x", unit="count", kind="stock", rollup="sum", method="computed",
    group="x", fact="x.count",
)  # fmt: skip


def _formula(code: str, text: str) -> IndicatorDefinition:
    return msgspec.structs.replace(COUNT, code=code, method="formula", formula=text, fact=None, rollup="ratio_of_sums")


def _state(*definitions: IndicatorDefinition) -> catalogue.Catalogue:
    events = catalogue.decide(catalogue.DefineIndicators(definitions), catalogue.Catalogue())
    return catalogue.DECIDER.fold(events)


def test_the_shipped_set_is_valid_and_defining_it_again_appends_nothing() -> None:
    shipped = province_indicators()
    state = _state(*shipped)
    assert len(state.indicators) == len(shipped)
    assert catalogue.decide(catalogue.DefineIndicators(shipped), state) == []


def test_a_changed_definition_is_a_revision_keeping_the_previous() -> None:
    state = _state(COUNT)
    renamed = msgspec.structs.replace(COUNT, name_en="renamed")
    [event] = catalogue.decide(catalogue.DefineIndicators([renamed]), state)
    assert isinstance(event, IndicatorRevised)
    assert event.previous == COUNT


@pytest.mark.parametrize(
    ("definitions", "code"),
    [
        ([_formula("x.share", "{x.count} / {x.missing}")], "unknown_reference"),
        ([_formula("x.a", "{x.b} + 1"), _formula("x.b", "{x.a} * 2")], "formula_cycle"),
        ([_formula("x.self", "{x.self} + 1")], "formula_cycle"),
        ([msgspec.structs.replace(COUNT, code="Bad Code")], "invalid_indicator"),
        ([msgspec.structs.replace(COUNT, method="composite", fact=None, rollup="average",
                                  components=[Component(code="x.count", weight=-1)])], "invalid_indicator"),
    ],
)  # fmt: skip
def test_bad_definitions_are_refused(definitions: list[IndicatorDefinition], code: str) -> None:
    with pytest.raises(DomainError) as raised:
        catalogue.decide(catalogue.DefineIndicators(definitions), _state(COUNT))
    assert raised.value.code == code


def test_a_revision_that_would_close_a_cycle_is_refused() -> None:
    state = _state(COUNT, _formula("x.a", "{x.count} + 1"), _formula("x.b", "{x.a} + 1"))
    with pytest.raises(DomainError) as raised:
        catalogue.decide(catalogue.DefineIndicators([_formula("x.a", "{x.b} + 1")]), state)
    assert raised.value.code == "formula_cycle"


def test_an_indicator_in_use_cannot_be_retired() -> None:
    state = _state(COUNT, _formula("x.a", "{x.count} + 1"))
    with pytest.raises(ConflictError):
        catalogue.decide(catalogue.RetireIndicator("x.count"), state)
    assert isinstance(catalogue.decide(catalogue.DefineIndicators([COUNT]), _state())[0], IndicatorDefined)
