"""GraphQL documents before they run: their size, a cache of them parsed and validated, and
introspection turned off.

The size limit is the GraphQL document's own, far below the request body's (which the imports
need): every document parsed is text an anonymous caller chose. The cache replaces strawberry's
ParserCache and ValidationCache, which keep the last 128 documents whatever their size (and
the validation cache keeps its documents alive as keys): this one keeps a document with its
validation result and evicts the least recently used past a budget in bytes, each document
weighed by what its parsed form holds (ADR 0019).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    SelectionSetNode,
    Visitor,
    get_named_type,
    is_introspection_type,
    parse,
    visit,
)
from graphql.validation import ASTValidationRule, ValidationRule
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import validate_document

BYTES_PER_TOKEN = 512
"""What a parsed document holds per token of its text (the token, the AST nodes made from it):
about 400 bytes measured with tracemalloc on graphql-core 3.3, rounded up so the budget bounds."""


def footprint(text: str, document: DocumentNode) -> int:
    """An upper estimate of the memory a parsed document holds: its text and its tokens (every
    token, comments included, stays linked from the document's locations)."""
    tokens = 0
    token = document.loc.start_token if document.loc else None
    while token is not None:
        tokens += 1
        token = token.next
    return len(text.encode()) + BYTES_PER_TOKEN * tokens


@dataclass(slots=True)
class _Entry:
    document: DocumentNode
    weight: int
    rules: tuple[type[ASTValidationRule], ...] | None = None
    errors: tuple[GraphQLError, ...] = ()


class DocumentCache:
    """Parsed documents by their text, least recently used evicted past ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size_bytes = 0
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, text: object) -> bool:
        return text in self._entries

    def parse(self, text: str, options: Mapping[str, Any]) -> DocumentNode:
        """The parsed document, from the cache or parsed now (a syntax error is raised, not kept)."""
        entry = self._entries.get(text)
        if entry is not None:
            self._entries.move_to_end(text)
            return entry.document
        document = parse(text, **options)
        refuse_empty_selections(document)
        weight = footprint(text, document)
        if weight <= self.max_bytes:
            self._entries[text] = _Entry(document, weight)
            self.size_bytes += weight
            while self.size_bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self.size_bytes -= evicted.weight
        return document

    def validate(self, text: str, schema: Any, document: DocumentNode, rules: tuple[Any, ...]) -> list[GraphQLError]:
        """The validation errors of a document under these rules, kept with the document."""
        entry = self._entries.get(text)
        if entry is not None and entry.document is document and entry.rules == rules:
            return list(entry.errors)  # a copy: error lists are rewritten in place downstream
        errors = validate_document(schema, document, rules)
        if entry is not None and entry.document is document:
            entry.rules, entry.errors = rules, tuple(errors)
        return errors


class _EmptySelections(Visitor):
    def enter_selection_set(self, node: SelectionSetNode, *_args: Any) -> None:
        if not node.selections and node.loc is not None:
            raise GraphQLSyntaxError(node.loc.source, node.loc.start, "a selection set must not be empty")


def refuse_empty_selections(document: DocumentNode) -> None:
    """The grammar asks for at least one selection in braces; graphql-core's parser accepts
    none, and validation rules written for the grammar (strawberry's depth limiter) fail on it."""
    visit(document, _EmptySelections())


def document_size_limit(max_bytes: int) -> type[SchemaExtension]:
    """Refuses a document over ``max_bytes`` before anything parses it. First of the extensions:
    it sees the text the client sent (a persisted query's stored text was bounded when stored)."""

    class DocumentSizeLimit(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            query = self.execution_context.query
            if query and (len(query) > max_bytes or len(query.encode()) > max_bytes):
                raise GraphQLError(
                    f"a GraphQL document is at most {max_bytes} bytes",
                    extensions={"code": "DOCUMENT_TOO_LARGE", "max": max_bytes},
                )
            yield

    return DocumentSizeLimit


def document_cache(cache: DocumentCache) -> type[SchemaExtension]:
    """Parses and validates through ``cache`` (in place of strawberry's ParserCache and
    ValidationCache; after the extensions that add validation rules)."""

    class CachedDocuments(SchemaExtension):
        def on_parse(self) -> Iterator[None]:
            context = self.execution_context
            if context.graphql_document is None and context.query:
                context.graphql_document = cache.parse(context.query, context.parse_options)
            yield

        def on_validate(self) -> Iterator[None]:
            context = self.execution_context
            if context.graphql_document is not None and context.query:
                rules = tuple(context.validation_rules)
                context.pre_execution_errors = cache.validate(
                    context.query, context.schema._schema, context.graphql_document, rules
                )
            yield

    return CachedDocuments


class NoIntrospection(ValidationRule):
    """graphql-core's NoSchemaIntrospectionCustomRule with a code a client can act on."""

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        named = get_named_type(self.context.get_type())
        if named and is_introspection_type(named):
            self.report_error(
                GraphQLError(
                    f"introspection is turned off on this gateway (the query asks {node.name.value!r})",
                    node,
                    extensions={"code": "INTROSPECTION_DISABLED"},
                )
            )
