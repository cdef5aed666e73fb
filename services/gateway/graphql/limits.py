"""GraphQL limits: depth, aliases and tokens (strawberry's), page sizes and a cost budget (ours).

The cost of an operation is estimated from the document before anything runs: it is the number
of objects the query can return, each field that returns objects costing one per object, and a
list multiplying what is under it by its size (a connection's ``edges``: its ``first``; other
lists: an assumed size per field; a list covering every unit of a level: the number of units
the gateway's unit directory knows at that level). So
``units(first: 200) { edges { node { radioStation { clusters { village { code } } } } } }``
costs 1 (the connection) + 200 (edges) + 200 (nodes) + 200 (stations) + 4,000 (clusters, 20
assumed per station) + 4,000 (villages): a query that could fan out into tens of thousands of
internal lookups is refused up front with ``COST_LIMIT``, naming the estimate and the budget.

Arguments are read as the resolver will receive them (graphql-core's own coercion of the
variables and the arguments), so ``first: null``, a variable left out, a variable's default in
the operation and a float such as ``200.0`` cost the page they really return; every alias is a
field of its own and costs in full (ADR 0019).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.type.definition import GraphQLInterfaceType
from strawberry.extensions import SchemaExtension

from libs.common.settings import Settings
from services.gateway.graphql.pages import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


@dataclass(frozen=True)
class Limits:
    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 5_000
    max_cost: int = 20_000
    max_subscriptions_per_connection: int = 20
    max_concurrent_operations: int = 32
    """Queries and mutations executing at once in a process; more wait their turn. Past this, a
    CPU-bound process only interleaves more work, each operation slows, and internal calls
    whose answers wait for the event loop start timing out."""
    persisted_queries_only: bool = False
    """Production: only documents already stored by hash run (APQ registration refused)."""
    max_document_bytes: int = 64 * 1024
    """The largest document parsed: far below the request body's bound, which the imports need."""
    cache_bytes: int = 16 * 1024 * 1024
    """What the cache of parsed documents holds, by ``documents.footprint``."""
    persisted_queries_per_partner: int = 200
    introspection: bool = True
    graphiql: bool = True

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            persisted_queries_only=settings.gateway_persisted_queries_only,
            max_document_bytes=settings.gateway_graphql_max_document_bytes,
            cache_bytes=settings.gateway_graphql_cache_bytes,
            persisted_queries_per_partner=settings.gateway_persisted_queries_per_partner,
            introspection=settings.gateway_introspection,
            graphiql=settings.gateway_graphiql,
        )


ASSUMED_LIST_SIZES = {
    "clusters": 20,
    "successors": 2,
    "indicators": 100,  # the whole catalogue without codes: 76 in the metrics service's seed
    "deliveries": 100,
    "airtime": 5,
    "technologies": 1,
    "segments": 1,
}
DEFAULT_LIST_SIZE = 10

LEVEL_LISTS = frozenset({"indicatorValues", "ranking"})
"""Root lists with a ``level``: a row per code (one for a ranking) for every unit of the level."""
MAX_LEVEL_VALUES = 200_000
"""The most values the metrics service answers in one request (its ``MAX_CELLS``): the size of a
level-wide list while the number of units at that level is not known yet."""

UnitCounts = Callable[[str], int | None]
"""The number of units at a level (``"village"``), or None while the gateway does not know it."""


def _unknown(level: str) -> int | None:
    return None


class CostLimitError(GraphQLError):
    pass


class _Estimator:
    """Walks one operation with its variables coerced as execution coerces them, so every
    argument is read as the resolver will receive it: a variable's value, else its default in
    the operation, else the field's default; a ``first`` that ends up null is the page the
    resolver returns for null. Every field node counts, so each alias of a field counts in full."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document_fragments: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        units_at_level: UnitCounts = _unknown,
    ) -> None:
        self.schema = schema
        self.units_at_level = units_at_level
        self.fragments = document_fragments
        self.variables = variables

    def cost(
        self,
        selection: SelectionSetNode | None,
        parent: GraphQLNamedType,
        multiplier: int,
        seen: frozenset[str],
        page: int = DEFAULT_PAGE_SIZE,
    ) -> int:
        """The objects ``selection`` returns, ``multiplier`` times; ``page``: the enclosing
        connection's page size, which its ``edges`` return."""
        total = 0
        for field, field_parent in self._fields(selection, parent, seen):
            if not isinstance(field_parent, (GraphQLObjectType, GraphQLInterfaceType)):
                continue
            definition = field_parent.fields.get(field.name.value)
            if definition is None or field.selection_set is None:
                continue  # a leaf, an introspection field, or a mistake validation will name
            arguments = self.arguments(definition, field)
            if arguments is None:
                total += multiplier  # its arguments fail to coerce: execution stops at this field
                continue
            returned = multiplier * self._list_size(field, field_parent, definition, arguments, page)
            total += returned + self.cost(
                field.selection_set, get_named_type(definition.type), returned, seen, self._page(definition, arguments)
            )
        return total

    def _fields(
        self, selection: SelectionSetNode | None, parent: GraphQLNamedType, seen: frozenset[str]
    ) -> Iterator[tuple[FieldNode, GraphQLNamedType]]:
        if selection is None:
            return
        for node in selection.selections:
            if isinstance(node, FieldNode):
                yield node, parent
            elif isinstance(node, InlineFragmentNode):
                target = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                yield from self._fields(node.selection_set, target or parent, seen)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # unknown or cyclic: validation reports it
                target = self.schema.get_type(fragment.type_condition.name.value) or parent
                yield from self._fields(fragment.selection_set, target, seen | {name})

    def arguments(self, definition: GraphQLField, field: FieldNode) -> dict[str, Any] | None:
        """The arguments the resolver gets (graphql-core's own coercion), or None if they fail."""
        try:
            return get_argument_values(definition, field, self.variables)
        except GraphQLError:
            return None

    @staticmethod
    def _page(definition: GraphQLField, arguments: dict[str, Any]) -> int:
        """The page a connection field returns: its ``first``, the default when null or left out."""
        first = arguments.get("first") if "first" in definition.args else None
        return DEFAULT_PAGE_SIZE if first is None else max(first, 0)

    def _list_size(
        self, field: FieldNode, parent: GraphQLNamedType, definition: GraphQLField, arguments: dict[str, Any], page: int
    ) -> int:
        if not is_list_type(get_nullable_type(definition.type)):
            return 1
        if parent.name.endswith("Connection") and field.name.value == "edges":
            return page
        codes = arguments.get("codes")
        per_unit = len(codes) if isinstance(codes, list) else 1
        if parent.name == "Query" and field.name.value in LEVEL_LISTS:
            return self._level_size(arguments.get("level"), per_unit)
        if isinstance(codes, list):
            return per_unit  # a value per code of this unit (AdministrativeUnit.indicators)
        return ASSUMED_LIST_SIZES.get(field.name.value, DEFAULT_LIST_SIZE)

    def _level_size(self, level: Any, per_unit: int) -> int:
        """Rows of a level-wide list: ``per_unit`` for each unit of the level (a parentCode only
        narrows it, so the whole level bounds it); without a level, the one unit of parentCode."""
        if level is None:
            return per_unit
        units = self.units_at_level(str(getattr(level, "value", level)).lower())
        if units is None:
            # Not known yet (the directory still loading): the most the metrics service answers.
            return max(MAX_LEVEL_VALUES, per_unit)
        return per_unit * units

    def page_sizes(
        self, selection: SelectionSetNode | None, parent: GraphQLNamedType, seen: frozenset[str]
    ) -> Iterator[tuple[str, int]]:
        for field, field_parent in self._fields(selection, parent, seen):
            if not isinstance(field_parent, (GraphQLObjectType, GraphQLInterfaceType)):
                continue
            definition = field_parent.fields.get(field.name.value)
            if definition is None:
                continue
            arguments = self.arguments(definition, field)
            if "first" in definition.args and arguments is not None:
                first = arguments.get("first")
                yield field.name.value, DEFAULT_PAGE_SIZE if first is None else first
            if field.selection_set is not None:
                yield from self.page_sizes(field.selection_set, get_named_type(definition.type), seen)


def estimate(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    units_at_level: UnitCounts = _unknown,
) -> tuple[int, list[tuple[str, int]]]:
    """(estimated cost, every page size the operation asks) of one operation.

    Variables that do not coerce cost nothing: execution refuses them before any resolver runs.
    ``units_at_level`` sizes the lists covering a whole level; without it, they cost the most
    the metrics service answers.
    """
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0, []
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
    if isinstance(coerced, list):
        return 0, []
    estimator = _Estimator(schema, fragments, coerced, units_at_level)
    return (
        estimator.cost(operation.selection_set, root, 1, frozenset()),
        list(estimator.page_sizes(operation.selection_set, root, frozenset())),
    )


def cost_limit(max_cost: int, units_at_level: UnitCounts = _unknown) -> type[SchemaExtension]:
    """A schema extension (a class, so each operation gets its own instance) with this budget,
    sizing level-wide lists by ``units_at_level``."""

    class CostLimit(SchemaExtension):
        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            document = context.graphql_document
            # Runs after the (cached) validation; only a valid document is worth estimating.
            if document is not None and not context.pre_execution_errors:
                error = _check(
                    context.schema._schema,
                    document,
                    context.operation_name,
                    context.variables or {},
                    max_cost,
                    units_at_level=units_at_level,
                )
                if error is not None:
                    context.pre_execution_errors = [error]
            yield

    return CostLimit


def _check(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: dict[str, Any],
    max_cost: int,
    *,
    units_at_level: UnitCounts,
) -> GraphQLError | None:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    for operation in operations:
        if operation_name is not None and (operation.name is None or operation.name.value != operation_name):
            continue
        cost, pages = estimate(schema, operation, fragments, variables, units_at_level)
        for field, first in pages:
            if not 1 <= first <= MAX_PAGE_SIZE:
                return GraphQLError(
                    f"{field}(first: {first}): first must be between 1 and {MAX_PAGE_SIZE}",
                    extensions={"code": "VALIDATION", "argument": "first", "max": MAX_PAGE_SIZE},
                )
        if cost > max_cost:
            return CostLimitError(
                f"this query could cost about {cost} lookups, over the budget of {max_cost}: "
                "ask for fewer items per page (first) or fewer nested lists",
                extensions={"code": "COST_LIMIT", "cost": cost, "budget": max_cost},
            )
    return None
