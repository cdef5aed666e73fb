"""Each event-sourced service's own OpenAPI document, as its app builds it, and the checked-in
copy a test holds it to (``tests/unit/service_openapi/<service>.json``).

The gateway's clients call these routes by path, operation id, body and answer; a change to how
routes are declared must leave the documents as they are. A deliberate change to a service's
routes rewrites the copies:

    .venv/bin/python -m tests.support.service_openapi
"""

from __future__ import annotations

import importlib
import json
import tempfile
from pathlib import Path
from typing import Any

from contracts.services import EVENT_SOURCED
from libs.common.principal import ensure_keypair
from libs.common.settings import ServiceRole, load_settings

COPIES = Path(__file__).resolve().parent.parent / "unit" / "service_openapi"


def documents(services: tuple[str, ...] = tuple(EVENT_SOURCED)) -> dict[str, dict[str, Any]]:
    """Built without a database or broker: an API process's app is complete before start-up."""
    with tempfile.TemporaryDirectory(prefix="tinhso-openapi-") as state:
        ensure_keypair(load_settings({}, state_dir=state))
        settings = load_settings({}, state_dir=state, service_role=ServiceRole.API.value)
        return {
            service: importlib.import_module(f"services.{service}.app").create_app(settings).openapi_schema.to_schema()
            for service in services
        }


def text(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def copy_path(service: str) -> Path:
    return COPIES / f"{service}.json"


def main() -> None:
    COPIES.mkdir(exist_ok=True)
    for service, document in documents().items():
        copy_path(service).write_text(text(document), encoding="utf-8")
        print(f"wrote {copy_path(service)}")


if __name__ == "__main__":
    main()
