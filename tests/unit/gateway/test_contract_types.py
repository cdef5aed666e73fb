"""GraphQL types built from contract Structs (``services/gateway/graphql/contract_types.py``):
the schema shows the contract's fields with the contract's types, ``of`` copies an answer into
the type, and a field with no GraphQL form is refused when the type is built, not at a query."""

from __future__ import annotations

import datetime
import enum
from typing import Literal

import msgspec
import pytest
import strawberry

from services.gateway.graphql.contract_types import ContractTypeError, FromContract, built_for, contract_type


class Part(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    weight: float


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    answer_id: str
    name_vi: str
    level: str
    opened: datetime.date
    closed: datetime.datetime | None
    tags: tuple[str, ...]
    parts: list[Part]
    best: Part | None
    kind: Literal["a", "b"]
    extra: dict[str, int]


@strawberry.enum
class Level(enum.Enum):
    DISTRICT = "district"
    COMMUNE = "commune"


@contract_type(Part, fields=("code", "weight"), description="One part.")
class PartType(FromContract[Part]):
    pass


@contract_type(
    Answer,
    fields=("level", "opened", "closed", "tags", "parts", "best", "kind"),
    renamed={"name": "name_vi"},
    descriptions={"name": "The Vietnamese name."},
)
class AnswerType(FromContract[Answer]):
    id: strawberry.ID
    level: Level

    @strawberry.field
    def upper_name(self) -> str:
        return self.view.name_vi.upper()


@strawberry.type
class Query:
    @strawberry.field
    def answer(self) -> AnswerType:
        return AnswerType.of(ANSWER, id=strawberry.ID("Answer:1"))


ANSWER = Answer(
    answer_id="1",
    name_vi="Ba Bể",
    level="district",
    opened=datetime.date(2025, 7, 1),
    closed=None,
    tags=("x", "y"),
    parts=[Part(code="p", weight=0.5)],
    best=Part(code="q", weight=1.0),
    kind="a",
    extra={"n": 1},
)


def test_the_schema_shows_the_contract_fields_with_their_types() -> None:
    sdl = str(strawberry.Schema(query=Query))
    assert '"""The Vietnamese name."""\n  name: String!' in sdl
    for line in (
        "level: Level!",
        "opened: Date!",
        "closed: DateTime",
        "tags: [String!]!",
        "parts: [PartType!]!",
        "best: PartType",
        "kind: String!",
        "upperName: String!",
    ):
        assert f"  {line}\n" in sdl, line
    for hidden in ("extra", "answerId", "view"):
        assert hidden not in sdl


def test_of_copies_the_answer_and_converts_nested_structs_and_enums() -> None:
    result = strawberry.Schema(query=Query).execute_sync(
        "{ answer { id name level opened closed tags parts { code weight } best { code } kind upperName } }"
    )
    assert result.errors is None
    assert result.data == {
        "answer": {
            "id": "Answer:1",
            "name": "Ba Bể",
            "level": "DISTRICT",
            "opened": "2025-07-01",
            "closed": None,
            "tags": ["x", "y"],
            "parts": [{"code": "p", "weight": 0.5}],
            "best": {"code": "q"},
            "kind": "a",
            "upperName": "BA BỂ",
        }
    }


def test_the_type_built_for_a_struct_is_found_by_the_struct() -> None:
    assert built_for(Part) is PartType


def test_a_field_with_no_graphql_form_is_refused_when_the_type_is_built() -> None:
    with pytest.raises(ContractTypeError, match=r"Answer.extra"):

        @contract_type(Answer, fields=("extra",), nested=False)
        class Refused:
            pass


def test_a_field_the_contract_does_not_have_is_refused() -> None:
    with pytest.raises(ContractTypeError, match="has no field nmae"):

        @contract_type(Answer, renamed={"name": "nmae"}, nested=False)
        class Misspelt:
            pass


class Loose(msgspec.Struct, frozen=True):
    code: str


class Holder(msgspec.Struct, frozen=True):
    loose: Loose


def test_a_nested_struct_without_a_built_type_is_refused() -> None:
    with pytest.raises(ContractTypeError, match="build the GraphQL type for Loose first"):

        @contract_type(Holder, fields=("loose",))
        class Early:
            pass


def test_a_converter_overrides_how_a_value_is_copied() -> None:
    @contract_type(Part, fields=("code",), convert={"code": str.upper}, name="ShoutedPart", nested=False)
    class Shouted(FromContract[Part]):
        code: str

    assert Shouted.of(Part(code="p", weight=1.0)).code == "P"


def test_a_second_type_for_one_struct_must_leave_nested_fields_to_the_first() -> None:
    """Failed before the fix: a second type built from ``Part`` silently became the type every
    nested ``Part`` field resolved to, so the answer depended on which module was imported last."""
    with pytest.raises(ContractTypeError, match="Part already has the GraphQL type PartType"):

        @contract_type(Part, fields=("code",), name="OtherPart")
        class Other(FromContract[Part]):
            pass

    @contract_type(Part, fields=("weight",), name="WeightOnlyPart", nested=False)
    class WeightOnly(FromContract[Part]):
        weight: float

    assert built_for(Part) is PartType
    assert WeightOnly.of(Part(code="p", weight=2.0)).weight == 2.0
