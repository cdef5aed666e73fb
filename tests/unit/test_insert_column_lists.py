"""Every ``INSERT`` in services/ and libs/ names its columns (issue #17).

A positional ``INSERT INTO t VALUES (...)`` depends on the order of the table's columns: a
column added or dropped later (``ALTER TABLE``, or a read model built by older DDL) shifts
every value into the wrong column, or fails only at run time. This test reads every string
literal of the Python sources (an f-string's placeholders read as a name, adjacent literals as
one) and every ``.sql`` file, and fails on an ``INSERT INTO`` not followed by a column list.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREES = ("services", "libs")
# The table (schema-qualified or a placeholder), an optional alias, then what must be "(".
INSERT = re.compile(r"\bINSERT\s+INTO\s+[\w.\"]+(?:\s+AS\s+\w+)?\s*(?P<next>\S?)", re.IGNORECASE)


def _text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "x" for v in node.values
        )
    return None


def positional_inserts(sql: str) -> list[str]:
    """The first line of every ``INSERT INTO`` in ``sql`` that lists no columns."""
    return [sql[m.start() :].splitlines()[0] for m in INSERT.finditer(sql) if m["next"] != "("]


def offending_in_python(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    # An f-string is read whole; its literal parts are not read again on their own.
    parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        text = _text(node)
        if text is not None and isinstance(node, ast.expr) and id(node) not in parts:
            found.extend((node.lineno, line) for line in positional_inserts(text))
    return found


def test_the_detector_finds_a_positional_insert_in_a_literal_and_in_an_f_string() -> None:
    source = (
        'a = "INSERT INTO registry.lineage VALUES ($1, $2, $3)"\n'
        'b = f"""\n  INSERT INTO {s}.units\n  VALUES ($1)"""\n'
        'c = f"INSERT INTO {s}.units SELECT * FROM unnest($1::text[])"\n'
        'd = f"INSERT INTO {s}.units (unit_id) VALUES ($1)"\n'
        'e = "INSERT INTO gateway.buckets AS b (bucket) VALUES ($1)"\n'
        'f = f"INSERT INTO {s}.units " "(unit_id) VALUES ($1)"\n'
    )
    assert [line for line, _ in offending_in_python(source)] == [1, 2, 5]


def test_the_detector_finds_a_positional_insert_in_sql() -> None:
    sql = "INSERT INTO facts (key) VALUES (1);\n  insert into facts\n values (2);"
    assert positional_inserts(sql) == ["insert into facts"]


def test_every_insert_in_services_and_libs_names_its_columns() -> None:
    offending: list[str] = []
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            offending.extend(
                f"{path.relative_to(ROOT)}:{line}: {text}"
                for line, text in offending_in_python(path.read_text(encoding="utf-8"))
            )
        for path in sorted((ROOT / tree).rglob("*.sql")):
            offending.extend(
                f"{path.relative_to(ROOT)}: {text}" for text in positional_inserts(path.read_text(encoding="utf-8"))
            )
    assert offending == [], "Name the columns of an INSERT:\n" + "\n".join(offending)
