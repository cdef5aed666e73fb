"""Generates the published contracts from the event types: JSON Schema files and AsyncAPI.

    python -m contracts.generate          # rewrite contracts/schemas/ and contracts/asyncapi.json
    python -m contracts.generate --check  # exit 1 and name the stale files if they differ

Outputs are checked in so that a change to an event type shows up in review as a change to
its published schema. Everything is rendered deterministically (sorted keys, 2-space
indent, trailing newline), so a byte comparison is a reliable staleness check; a unit test
runs the same comparison. The generator owns ``contracts/schemas/``: a file there that it
would not write (say, the schema of a version that has been superseded) is stale too.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Annotated, Any

import msgspec

from contracts.base import Event
from contracts.envelope import Envelope
from contracts.headers import KAFKA_HEADERS
from contracts.services import all_topics
from contracts.topics import TopicContract

JsonObject = dict[str, Any]

CONTRACTS_DIR = Path(__file__).resolve().parent
SCHEMAS = "schemas"
ASYNCAPI = "asyncapi.json"
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# The version of the AsyncAPI document as a whole; event types carry their own versions.
DOCUMENT_VERSION = "1.0.0"
KAFKA_BINDING_VERSION = "0.5.0"

_ENVELOPE_DOC = (
    "The envelope around every event on a service topic (the Kafka record value). It carries what "
    "consumers need to order, deduplicate and trace an event without decoding its data: ids, the "
    "stream and its version, the source position in the store it came from (tx_id, position), who "
    "did it (actor, partner) and the trace context. `data` is the event itself, in the shape given "
    "by `type` and `schema_version`."
)
_EnvelopeData = Annotated[
    dict[str, Any],
    msgspec.Meta(description="The event, encoded as the JSON Schema of its `type` at its `schema_version`."),
]


def render(document: JsonObject) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_file(cls: type[Event]) -> str:
    return f"{SCHEMAS}/{cls.type_name()}.v{cls.SCHEMA_VERSION}.json"


def event_types(topics: Iterable[TopicContract]) -> list[type[Event]]:
    return [cls for topic in topics for cls in topic.event_types()]


def envelope_struct() -> type[msgspec.Struct]:
    """A copy of ``Envelope`` whose ``data`` is a JSON object rather than raw bytes.

    ``Envelope.data`` is ``msgspec.Raw`` so that the envelope can be decoded without the
    event; Raw has no JSON Schema, so the schema is taken from this twin, built field by
    field from ``Envelope`` so that the two cannot drift apart.
    """
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    rename: dict[str, str] = {}
    for info in msgspec.structs.fields(Envelope):
        rename[info.name] = info.encode_name
        kind, default = info.type, info.default
        if info.name == "data":
            kind, default = _EnvelopeData, msgspec.field(default_factory=dict)
        elif info.default_factory is not msgspec.NODEFAULT:
            default = msgspec.field(default_factory=info.default_factory)
        fields.append((info.name, kind) if default is msgspec.NODEFAULT else (info.name, kind, default))
    return msgspec.defstruct(
        "Envelope",
        fields,
        kw_only=True,
        frozen=True,
        rename=rename,
        module=__name__,
        namespace={"__doc__": _ENVELOPE_DOC},
    )


def _standalone(cls: type[msgspec.Struct], schema_id: str) -> JsonObject:
    """One type's JSON Schema as a document of its own, other structs under ``$defs``."""
    (ref,), components = msgspec.json.schema_components([cls], ref_template="#/$defs/{name}")
    name = ref["$ref"].rsplit("/", 1)[-1]
    own = components[name]
    others = {key: value for key, value in components.items() if key != name}
    if f'"#/$defs/{name}"' in json.dumps([own, others]):  # a recursive type refers to itself
        others[name] = own
    document: JsonObject = {"$schema": JSON_SCHEMA_DIALECT, "$id": schema_id, **own}
    if others:
        document["$defs"] = others
    return document


def event_schema(cls: type[Event]) -> JsonObject:
    document = _standalone(cls, f"urn:tinhso:event:{cls.type_name()}:v{cls.SCHEMA_VERSION}")
    document["title"] = f"{cls.type_name()} v{cls.SCHEMA_VERSION}"
    return document


def envelope_schema() -> JsonObject:
    document = _standalone(envelope_struct(), "urn:tinhso:envelope")
    document["title"] = "Envelope"
    return document


def _headers_schema() -> JsonObject:
    return {
        "type": "object",
        "description": "Kafka record headers set by the outbox relay; values are UTF-8 text.",
        "properties": {
            header.name: {"type": "string", "description": header.description, **header.schema}
            for header in KAFKA_HEADERS
        },
        "required": [header.name for header in KAFKA_HEADERS if header.required],
    }


def _summary(cls: type[Event]) -> str:
    doc = (cls.__doc__ or "").strip()
    return doc.splitlines()[0] if doc else cls.type_name()


def _message(cls: type[Event], schema_names: dict[type[msgspec.Struct], str]) -> JsonObject:
    return {
        "name": cls.type_name(),
        "title": cls.__name__,
        "summary": _summary(cls),
        "contentType": "application/json",
        "headers": {"$ref": "#/components/schemas/KafkaHeaders"},
        "payload": {
            "allOf": [
                {"$ref": f"#/components/schemas/{schema_names[Envelope]}"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": cls.type_name()},
                        "schema_version": {"const": cls.SCHEMA_VERSION},
                        "data": {"$ref": f"#/components/schemas/{schema_names[cls]}"},
                    },
                    "required": ["data"],
                },
            ]
        },
        "correlationId": {"location": "$message.header#/correlation_id"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The envelope's stream_id: one aggregate, one partition."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def asyncapi_document(topics: Sequence[TopicContract]) -> JsonObject:
    """AsyncAPI 3.0: one channel per service topic, one message per event type on it."""
    types = event_types(topics)
    twin = envelope_struct()
    refs, components = msgspec.json.schema_components([twin, *types], ref_template="#/components/schemas/{name}")
    structs: list[type[msgspec.Struct]] = [Envelope, *types]
    schema_names = {cls: ref["$ref"].rsplit("/", 1)[-1] for cls, ref in zip(structs, refs, strict=True)}
    schemas: JsonObject = {**components, "KafkaHeaders": _headers_schema()}
    channels: JsonObject = {}
    operations: JsonObject = {}
    messages: JsonObject = {}
    for topic in topics:
        address = topic.topic()
        channel_messages: JsonObject = {}
        for cls in topic.event_types():
            messages[cls.type_name()] = _message(cls, schema_names)
            channel_messages[cls.type_name()] = {"$ref": f"#/components/messages/{cls.type_name()}"}
        channels[topic.service] = {
            "address": address,
            "title": f"{topic.service} events",
            "description": topic.description,
            "messages": channel_messages,
            "bindings": {"kafka": {"topic": address, "bindingVersion": KAFKA_BINDING_VERSION}},
        }
        operations[f"{topic.service}.publish"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{topic.service}"},
            "title": f"The {topic.service} service publishes its events",
            "summary": "The outbox relay publishes committed events in commit order, keyed by stream_id.",
            "messages": [{"$ref": f"#/channels/{topic.service}/messages/{name}"} for name in channel_messages],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "tinhso service events",
            "version": DOCUMENT_VERSION,
            "description": (
                "The event topics of tinhso's services. Each service publishes the events it recorded "
                "to `<prefix>.<service>.events` (prefix `tinhso` unless TINHSO_TOPIC_PREFIX says "
                "otherwise). Generated by `python -m contracts.generate`; do not edit by hand."
            ),
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def generated_files(topics: Sequence[TopicContract] | None = None) -> dict[str, str]:
    """Every generated file's text, by path relative to ``contracts/``."""
    topics = all_topics() if topics is None else topics
    files = {f"{SCHEMAS}/envelope.json": render(envelope_schema())}
    for cls in event_types(topics):
        files[schema_file(cls)] = render(event_schema(cls))
    files[ASYNCAPI] = render(asyncapi_document(topics))
    return files


def _unexpected(root: Path, files: dict[str, str]) -> list[str]:
    schemas = root / SCHEMAS
    present = sorted(path.relative_to(root).as_posix() for path in schemas.glob("*.json")) if schemas.is_dir() else []
    return [name for name in present if name not in files]


def stale_files(root: Path = CONTRACTS_DIR, files: dict[str, str] | None = None) -> list[str]:
    """Paths (relative to ``root``) that are missing, differ, or should not be there."""
    files = generated_files() if files is None else files
    stale = [
        name
        for name, text in files.items()
        if not (root / name).is_file() or (root / name).read_text(encoding="utf-8") != text
    ]
    return sorted(stale + _unexpected(root, files))


def write(root: Path = CONTRACTS_DIR, files: dict[str, str] | None = None) -> list[str]:
    """Brings ``root`` up to date; returns the paths it changed or removed."""
    files = generated_files() if files is None else files
    changed = stale_files(root, files)
    for name in _unexpected(root, files):
        (root / name).unlink()
    for name in changed:
        if name in files:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(files[name], encoding="utf-8", newline="\n")
    return changed


def _display(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None, root: Path = CONTRACTS_DIR) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contracts.generate", description="Generate the contracts/ outputs."
    )
    parser.add_argument("--check", action="store_true", help="list stale files and exit 1 instead of writing")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(root)
        for name in stale:
            print(_display(root / name))
        if stale:
            print("generated contracts are stale: run `python -m contracts.generate`", file=sys.stderr)
            return 1
        return 0
    for name in write(root):
        print(f"updated {_display(root / name)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
