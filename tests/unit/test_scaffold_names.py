"""``tinhso new service`` refuses a name that is not a lowercase identifier or that is taken,
in one line and with exit status 2, before it writes anything."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from services.cli.main import cli
from services.cli.scaffold import next_port


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("Demo", "is not a service name"),
        ("my-service", "is not a service name"),
        ("9lives", "is not a service name"),
        ("field_survey", "is not a service name"),
        ("metrics", "exists already"),
        ("gateway", "exists already"),
    ],
)
def test_a_bad_or_taken_name_is_refused_and_nothing_is_written(
    name: str, says: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["new", "service", name], catch_exceptions=False)
    assert result.exit_code == 2
    [line] = result.output.splitlines()
    assert says in line
    assert list(tmp_path.iterdir()) == []


def test_the_next_port_is_one_past_the_highest_default_port() -> None:
    assert next_port() == 8004
