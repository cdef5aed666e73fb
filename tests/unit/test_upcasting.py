"""Reading old events: stored data of an older schema version is lifted to the current shape."""

from __future__ import annotations

import datetime
import re

import msgspec
import pytest

from contracts.catalogue import EventCatalogue, UnknownEventTypeError
from contracts.registry_events import CATALOGUE, UnitRegistered, upcast_unit_registered_v1_v2
from contracts.upcasting import UnknownSchemaVersionError, Upcasters

# A version 1 row as it sits in registry's events table (the data column).
STORED_V1 = (
    '{"type":"registry.unit_registered","unit_id":"u-1","code":"01834",'
    '"ten":"Phường Nguyễn Thị Minh Khai","level":"commune","parent_id":"u-058"}'
).encode()


def test_a_version_1_unit_registered_is_lifted_to_the_current_shape() -> None:
    event = CATALOGUE.decode("registry.unit_registered", 1, STORED_V1)

    assert event == UnitRegistered(
        unit_id="u-1",
        code="01834",
        name="Phường Nguyễn Thị Minh Khai",
        level="commune",
        parent_id="u-058",
        valid_from=datetime.date(2020, 1, 1),
    )


def test_the_upcaster_keeps_a_valid_from_that_is_already_there_and_leaves_its_input_alone() -> None:
    stored = {"type": "registry.unit_registered", "ten": "Xã Nam Mẫu", "valid_from": "2025-07-01"}

    lifted = upcast_unit_registered_v1_v2(stored)

    assert lifted == {"type": "registry.unit_registered", "name": "Xã Nam Mẫu", "valid_from": "2025-07-01"}
    assert stored["ten"] == "Xã Nam Mẫu"


def test_the_current_version_decodes_directly() -> None:
    current = UnitRegistered(
        unit_id="u-2", code="02", name="Tỉnh Bắc Kạn", level="province", valid_from=datetime.date(2025, 7, 1)
    )
    stored = msgspec.json.encode(current)

    assert UnitRegistered.SCHEMA_VERSION == 2
    assert CATALOGUE.decode("registry.unit_registered", 2, stored) == current


def test_a_version_newer_than_the_code_is_refused() -> None:
    with pytest.raises(UnknownSchemaVersionError, match="newer"):
        CATALOGUE.decode("registry.unit_registered", 3, STORED_V1)


def test_a_type_the_topic_does_not_know_is_refused() -> None:
    with pytest.raises(UnknownEventTypeError, match=re.escape("registry.unit_teleported")):
        CATALOGUE.decode("registry.unit_teleported", 1, STORED_V1)


def test_a_gap_in_the_upcaster_chain_is_refused() -> None:
    without_upcasters = EventCatalogue("registry", [UnitRegistered])

    with pytest.raises(UnknownSchemaVersionError, match=re.escape("no upcaster for registry.unit_registered v1")):
        without_upcasters.decode("registry.unit_registered", 1, STORED_V1)


def test_upcasters_run_in_a_chain_one_version_at_a_time() -> None:
    upcasters = Upcasters()
    upcasters.register("test.thing_happened", 1)(lambda data: {**data, "steps": ["v1->v2"]})
    upcasters.register("test.thing_happened", 2)(lambda data: {**data, "steps": [*data.get("steps", []), "v2->v3"]})

    assert upcasters.upcast("test.thing_happened", 1, 3, {}) == {"steps": ["v1->v2", "v2->v3"]}
    assert upcasters.upcast("test.thing_happened", 2, 3, {}) == {"steps": ["v2->v3"]}


def test_registering_two_upcasters_for_one_step_is_refused() -> None:
    upcasters = Upcasters()
    upcasters.register("registry.unit_registered", 1)(upcast_unit_registered_v1_v2)

    with pytest.raises(ValueError, match=re.escape("two upcasters for registry.unit_registered v1")):
        upcasters.register("registry.unit_registered", 1)(upcast_unit_registered_v1_v2)
