"""The published contracts: the checked-in files match the code, and event types follow the rules."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from contracts import generate
from contracts.base import Event
from contracts.envelope import Envelope
from contracts.headers import KAFKA_HEADERS
from contracts.services import all_topics
from libs.common.event_signing import RecordSigner
from libs.common.relay import kafka_headers
from libs.common.settings import Settings

REGENERATE = "run `python -m contracts.generate` and commit the result"
ALL_TYPES = [(topic.service, cls) for topic in all_topics() for cls in topic.event_types()]

SNAKE_DOTTED = re.compile(r"^[a-z]+\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# Past tense: a regular participle (registered, merged) or one of the irregular ones we use.
PAST_TENSE = re.compile(r"(?:ed|lost|sent|set|made|held|run|begun|shut|put|paid|taken|given|won|split|built|cut)$")


def is_dotted_past_tense(wire_name: str) -> bool:
    return bool(SNAKE_DOTTED.match(wire_name)) and bool(PAST_TENSE.search(wire_name.rsplit("_", 1)[-1]))


def test_the_checked_in_contracts_are_what_the_generator_writes() -> None:
    files = generate.generated_files()
    for name, text in files.items():
        path = generate.CONTRACTS_DIR / name
        assert path.is_file(), f"contracts/{name} is missing: {REGENERATE}"
        assert path.read_text(encoding="utf-8") == text, f"contracts/{name} is stale: {REGENERATE}"
    extra = generate.stale_files(generate.CONTRACTS_DIR, files)
    assert not extra, f"contracts/ holds files the generator would not write {extra}: {REGENERATE}"


def test_generating_twice_gives_the_same_bytes() -> None:
    assert generate.generated_files() == generate.generated_files()


def test_a_changed_or_leftover_file_is_stale_until_the_generator_runs(tmp_path: Path) -> None:
    files = generate.generated_files()
    generate.write(tmp_path, files)
    assert generate.stale_files(tmp_path, files) == []

    (tmp_path / "asyncapi.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "schemas" / "registry.unit_registered.v1.json").write_text("{}\n", encoding="utf-8")
    expected = ["asyncapi.json", "schemas/registry.unit_registered.v1.json"]
    assert generate.stale_files(tmp_path, files) == expected

    assert generate.write(tmp_path, files) == expected
    assert generate.stale_files(tmp_path, files) == []
    assert not (tmp_path / "schemas" / "registry.unit_registered.v1.json").exists()


def test_the_check_command_names_the_stale_files_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert generate.main(["--check"], root=tmp_path) == 1
    printed = capsys.readouterr()
    assert str(tmp_path / "schemas" / "envelope.json") in printed.out.splitlines()
    assert "python -m contracts.generate" in printed.err

    assert generate.main([], root=tmp_path) == 0
    capsys.readouterr()
    assert generate.main(["--check"], root=tmp_path) == 0
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("wire_name", "ok"),
    [
        ("registry.unit_registered", True),
        ("broadcast.signal_lost", True),
        ("registry.register_unit", False),
        ("registry.UnitRegistered", False),
        ("registry.unit-registered", False),
        ("unit_registered", False),
    ],
)
def test_the_wire_name_rule_tells_past_tense_snake_case_from_the_rest(wire_name: str, ok: bool) -> None:
    assert is_dotted_past_tense(wire_name) is ok


@pytest.mark.parametrize(("service", "cls"), ALL_TYPES, ids=[cls.type_name() for _, cls in ALL_TYPES])
def test_every_event_type_is_a_frozen_past_tense_event_of_its_own_service(service: str, cls: type[Event]) -> None:
    name = cls.type_name()
    assert name.startswith(f"{service}."), f"{name} is on the {service} topic"
    assert is_dotted_past_tense(name), f"{name} is not dotted snake_case in the past tense"
    assert cls.__struct_config__.frozen, f"{cls.__name__} must be frozen"
    assert cls.__struct_config__.tag_field == "type"
    assert isinstance(cls.SCHEMA_VERSION, int)
    assert cls.SCHEMA_VERSION >= 1


def test_there_is_at_least_one_event_type_to_check() -> None:
    assert ALL_TYPES


def test_wire_names_and_class_names_are_unique_across_topics() -> None:
    wire = Counter(cls.type_name() for _, cls in ALL_TYPES)
    classes = Counter(cls.__name__ for _, cls in ALL_TYPES)
    assert [name for name, n in wire.items() if n > 1] == []
    assert [name for name, n in classes.items() if n > 1] == []


def test_topics_come_in_a_fixed_order_and_are_named_as_the_settings_name_them() -> None:
    topics = all_topics()
    # The platform's own first, in start order; a service added later (tinhso new service) follows.
    assert [topic.service for topic in topics][:3] == ["registry", "broadcast", "metrics"]
    for settings in (Settings(), Settings(topic_prefix="staging")):
        for topic in topics:
            assert topic.topic(settings.topic_prefix) == settings.topic(topic.service)


def _document() -> dict[str, Any]:
    document: dict[str, Any] = msgspec.json.decode((generate.CONTRACTS_DIR / generate.ASYNCAPI).read_bytes())
    return document


def test_the_asyncapi_document_has_one_channel_per_topic_with_its_messages() -> None:
    document = _document()
    assert document["asyncapi"] == "3.0.0"
    channels = document["channels"]
    assert list(channels) == sorted(topic.service for topic in all_topics())
    for topic in all_topics():
        channel = channels[topic.service]
        assert channel["address"] == Settings().topic(topic.service)
        assert sorted(channel["messages"]) == sorted(topic.catalogue.types)
        operation = document["operations"][f"{topic.service}.publish"]
        assert operation["action"] == "send"
        assert operation["channel"] == {"$ref": f"#/channels/{topic.service}"}
        assert len(operation["messages"]) == len(topic.catalogue.types)


def test_every_message_is_keyed_by_stream_id_and_describes_the_relay_headers() -> None:
    document = _document()
    headers = document["components"]["schemas"]["KafkaHeaders"]
    expected = ["correlation_id", "event_id", "event_type", "schema_version", "signature", "stream_id", "traceparent"]
    assert sorted(headers["properties"]) == expected
    for name, message in document["components"]["messages"].items():
        assert message["name"] == name
        assert "stream_id" in message["bindings"]["kafka"]["key"]["description"]
        assert message["headers"] == {"$ref": "#/components/schemas/KafkaHeaders"}


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def test_every_reference_in_the_asyncapi_document_resolves() -> None:
    document = _document()
    refs = _refs(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/"), ref
        _resolve(document, ref)


@pytest.mark.parametrize("with_trace", [True, False])
def test_the_relay_sets_exactly_the_headers_the_contract_describes(with_trace: bool) -> None:
    now = datetime(2026, 11, 22, tzinfo=UTC)
    envelope = Envelope(
        event_id=uuid.uuid4(),
        stream_id="u-1",
        stream_type="unit",
        version=1,
        type="registry.unit_registered",
        schema_version=2,
        occurred_at=now,
        recorded_at=now,
        tx_id=1,
        position=1,
        correlation_id=uuid.uuid4() if with_trace else None,
        traceparent="00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" if with_trace else None,
    )
    signature = RecordSigner(bytes(32), "t").header(msgspec.json.encode(envelope), 0)  # the relay adds it
    sent = {name for name, _ in [*kafka_headers(envelope), signature]}
    described = {header.name for header in KAFKA_HEADERS}
    required = {header.name for header in KAFKA_HEADERS if header.required}

    assert required <= sent <= described
    assert (sent == described) is with_trace
