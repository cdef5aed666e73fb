"""The published contracts: checked-in schemas match the code, and event types follow the rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from contracts import generate
from contracts.base import Event
from contracts.topics import all_topics
from libs.common.settings import Settings

ALL_TYPES = [(topic.service, cls) for topic in all_topics() for cls in topic.event_types()]
# service.what_happened: snake_case, the last word a past participle (registered, merged, lost).
WIRE_NAME = re.compile(r"^(?P<service>[a-z]+)\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*_?[a-z]*(?:ed|en|lost|sent|set|made|held|run)$")
REGENERATE = "run `python -m contracts.generate` and commit the result"


def test_the_checked_in_contracts_are_what_the_generator_writes() -> None:
    stale = generate.stale_files()
    assert not stale, f"stale generated contracts {stale}: {REGENERATE}"


def test_a_changed_schema_on_disk_is_reported_as_stale(tmp_path: Path) -> None:
    files = generate.generated_files()
    generate.write(tmp_path, files)
    assert generate.stale_files(tmp_path, files) == []

    (tmp_path / "asyncapi.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "schemas" / "registry.unit_registered.v1.json").write_text("{}\n", encoding="utf-8")
    assert generate.stale_files(tmp_path, files) == ["asyncapi.json", "schemas/registry.unit_registered.v1.json"]

    assert generate.write(tmp_path, files) == ["asyncapi.json", "schemas/registry.unit_registered.v1.json"]
    assert generate.stale_files(tmp_path, files) == []


def test_the_check_command_exits_1_and_names_the_stale_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(generate, "CONTRACTS_DIR", tmp_path)
    monkeypatch.setattr(generate.stale_files, "__defaults__", (tmp_path, None))
    assert generate.main(["--check"]) == 1
    assert "contracts/schemas/envelope.json" in capsys.readouterr().out.splitlines()
