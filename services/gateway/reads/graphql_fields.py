"""The GraphQL side of a read table: one root field a row, as a strawberry type that the
schema merges into ``Query`` (ADR 0044).

A row's resolver asks the caller for the row's scope before anything else, turns the
arguments into the call's spelling (an enum by its value, ``first`` checked), calls the service
as the caller and builds the field's answer. Strawberry reads a resolver's arguments from its
signature, so the signature is the row's: its arguments, in order, with their annotations and
defaults, printed in the schema as a hand-written resolver's would be.
"""

from __future__ import annotations

import inspect
from typing import Any

import strawberry
from strawberry.types import Info

from services.gateway.graphql.context import context_of
from services.gateway.reads.table import Asked, Read, ReadTable, signed


def query_type(table: ReadTable) -> type:
    """The table's fields as a strawberry type named ``table.name``, in the rows' order."""
    fields = {row.field.name: _field(row) for row in table.rows if row.field is not None}
    return strawberry.type(type(table.name, (), fields))


def _field(row: Read) -> Any:
    assert row.field is not None
    args, answer = row.graphql_args(), row.field.answer

    async def resolve(info: Info[Any, Any], **given: Any) -> Any:
        context = context_of(info)
        principal = context.require(row.scope)
        values = {arg.name: arg.from_graphql(given[arg.graphql_parameter]) for arg in args}
        asked = Asked(principal, values)
        return answer.build(await row.call(context.caller(), **row.call_arguments(asked)), asked)

    info = inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Info[Any, Any])
    parameters = [info, *(arg.parameter(arg.graphql_parameter, arg.graphql) for arg in args)]
    signed(resolve, parameters, answer.type, row.field.name)
    return strawberry.field(resolver=resolve, description=row.field.description)
