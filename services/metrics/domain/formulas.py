"""Formulas of derived indicators: arithmetic over other indicators, written with their codes in
braces (``100 * {radio.communes.ip} / {admin.communes}``).

Evaluated with ``simpleeval`` (a small, well-kept evaluator of Python expressions that allows
only what it is given): numbers, + - * / and parentheses, ``min``, ``max``, ``abs``. Nothing
reaches ``eval``. A division by zero or a missing input gives no value and a reason instead.
"""

from __future__ import annotations

import ast
import functools
import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import simpleeval  # type: ignore[import-untyped]

from libs.common.errors import InvalidInputError

_REFERENCE = re.compile(r"\{([a-z0-9_]+(?:\.[a-z0-9_]+)*)\}")
_OPERATORS: dict[type[ast.AST], Callable[..., Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_FUNCTIONS: dict[str, Callable[..., Any]] = {"min": min, "max": max, "abs": abs}
MAX_LENGTH = 500


@dataclass(frozen=True, slots=True)
class Outcome:
    value: float | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Formula:
    text: str
    expression: str
    """The text with each reference replaced by a plain name (``v0``, ``v1``…)."""
    names: dict[str, str]
    """Plain name -> indicator code."""
    parsed: ast.expr = field(compare=False, repr=False)
    """The checked expression's tree, which ``simpleeval`` evaluates without parsing it again."""

    @property
    def references(self) -> list[str]:
        return sorted(set(self.names.values()))

    def evaluate(self, inputs: Mapping[str, float | None]) -> Outcome:
        missing = sorted({code for code in self.names.values() if inputs.get(code) is None})
        if missing:
            return Outcome(None, "no value for " + ", ".join("{" + c + "}" for c in missing))
        evaluator = simpleeval.SimpleEval(
            operators=_OPERATORS,
            functions=_FUNCTIONS,
            names={name: float(inputs[code] or 0.0) for name, code in self.names.items()},
        )
        try:
            result = evaluator.eval(self.expression, previously_parsed=self.parsed)
        except ZeroDivisionError:
            return Outcome(None, f"division by zero in {self.text}")
        if not isinstance(result, int | float) or isinstance(result, bool) or not math.isfinite(result):
            return Outcome(None, f"{self.text} gives no finite number")
        return Outcome(float(result))


@functools.lru_cache(maxsize=1024)
def compile_formula(text: str) -> Formula:
    """Parse and check a formula (its syntax, not its references); raises ``invalid_formula``.
    Kept per text: a recompute evaluates the same catalogue's formulas for every unit it touches."""
    if not text.strip() or len(text) > MAX_LENGTH:
        raise _invalid(text, f"a formula is 1..{MAX_LENGTH} characters")
    names: dict[str, str] = {}
    by_code: dict[str, str] = {}

    def name_for(match: re.Match[str]) -> str:
        code = match[1]
        if code not in by_code:
            by_code[code] = f"v{len(by_code)}"
            names[by_code[code]] = code
        return by_code[code]

    expression = _REFERENCE.sub(name_for, text)
    if "{" in expression or "}" in expression:
        raise _invalid(text, "references are written {code}, with a lower-case dotted code")
    if not names:
        raise _invalid(text, "a formula refers to at least one indicator")
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise _invalid(text, "not an arithmetic expression") from None
    for node in ast.walk(tree):
        allowed = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Name, ast.Load, ast.Call)
        if not isinstance(node, allowed) and type(node) not in _OPERATORS:
            raise _invalid(text, f"{type(node).__name__} is not allowed (numbers, + - * /, min, max, abs)")
        if isinstance(node, ast.Constant) and (isinstance(node.value, bool) or not isinstance(node.value, int | float)):
            raise _invalid(text, "only numbers may appear as constants")
        if isinstance(node, ast.Name) and node.id not in names and node.id not in _FUNCTIONS:
            raise _invalid(text, f"unknown name {node.id!r}: refer to indicators as {{code}}")
        if isinstance(node, ast.Call) and (not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS):
            raise _invalid(text, "only min, max and abs may be called")
    return Formula(text, expression, names, tree.body)


def find_cycle(dependencies: Mapping[str, list[str]], start: str) -> list[str] | None:
    """A path start -> ... -> start through the dependency graph, if there is one."""
    path: list[str] = []
    seen: set[str] = set()

    def visit(code: str) -> list[str] | None:
        if code == start and path:
            return [*path, code]
        if code in seen:
            return None
        seen.add(code)
        path.append(code)
        for ref in dependencies.get(code, []):
            found = visit(ref)
            if found:
                return found
        path.pop()
        return None

    return visit(start)


def _invalid(text: str, why: str) -> InvalidInputError:
    return InvalidInputError(f"formula {text!r}: {why}", code="invalid_formula", details={"formula": text})
