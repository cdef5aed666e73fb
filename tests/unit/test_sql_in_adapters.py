"""All SQL of a service lives in its ``adapters/`` (ADR 0026).

import-linter checks which module imports which; it cannot see a query written inline. Before
issue #17, projection writes sat in ``entrypoints/`` and lookups in ``application/``; this test
reads the other layers' string literals (f-strings included) and fails on any that is SQL.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("registry", "broadcast", "metrics")
LAYERS = ("domain", "application", "entrypoints")
SQL = re.compile(
    r"^\s*(SELECT\s|INSERT\s+INTO\s|UPDATE\s+\S+\s+SET\s|DELETE\s+FROM\s|WITH\s+RECURSIVE\s|CREATE\s+(TABLE|INDEX)\s)"
)


def sql_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal, or literal part of an f-string, that starts as SQL."""
    return [
        (node.lineno, node.value.strip().splitlines()[0])
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value)
    ]


def test_the_detector_finds_sql_in_a_literal_and_in_an_f_string() -> None:
    source = (
        'q = "SELECT 1"\n'
        'async def f(conn, s):\n    await conn.execute(f"""\n    INSERT INTO {s}.units VALUES ($1)""", 1)\n'
        'doc = "Selects the units below a unit."\n'
    )
    assert [line for line, _ in sql_literals(source)] == [1, 3]


@pytest.mark.parametrize("service", SERVICES)
def test_no_sql_outside_adapters(service: str) -> None:
    offending = [
        f"{path.relative_to(ROOT)}:{line}: {text}"
        for layer in LAYERS
        for path in sorted((ROOT / "services" / service / layer).rglob("*.py"))
        for line, text in sql_literals(path.read_text(encoding="utf-8"))
    ]
    assert offending == [], "SQL belongs in adapters/ (ADR 0026):\n" + "\n".join(offending)
