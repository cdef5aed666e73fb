"""Formulas of derived indicators: safe evaluation, null with a reason, cycle detection."""

from __future__ import annotations

import pytest

from libs.common.errors import InvalidInputError
from services.metrics.domain.formulas import compile_formula, find_cycle


def test_a_share_is_evaluated_from_its_inputs() -> None:
    formula = compile_formula("100 * {radio.communes.ip} / {admin.communes}")
    assert formula.references == ["admin.communes", "radio.communes.ip"]
    assert formula.evaluate({"radio.communes.ip": 93, "admin.communes": 108}).value == pytest.approx(86.111111)


def test_division_by_zero_and_a_missing_input_give_null_with_a_reason() -> None:
    formula = compile_formula("100 * {a} / {b}")
    zero = formula.evaluate({"a": 1, "b": 0})
    assert zero.value is None
    assert zero.reason is not None
    assert "division by zero" in zero.reason
    missing = formula.evaluate({"a": 1, "b": None})
    assert missing.value is None
    assert missing.reason == "no value for {b}"


@pytest.mark.parametrize(
    "text",
    ["__import__('os').system('id')", "{a}.real", "{a} ** 1000000", "open('x')", "{a} if {b} else 1", "'x' * {a}",
     "", "x + 1", "lambda: 1", "{a}[0]"],
)  # fmt: skip
def test_anything_but_arithmetic_over_indicators_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        compile_formula(text)
    assert raised.value.code == "invalid_formula"


def test_min_max_and_abs_are_allowed() -> None:
    assert compile_formula("min(100, max(0, abs({a})))").evaluate({"a": -150}).value == 100.0


def test_a_cycle_is_found_through_several_indicators() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"]}, "a") == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}, "a") is None
