"""GraphQL object types built from the wire shapes in ``contracts/api/`` (issue #17).

A service's answer is declared once, as a msgspec Struct in ``contracts/api/``. A GraphQL type
that shows it names the fields it takes from that Struct; their GraphQL types come from the
Struct's own annotations, so adding a field partners read is one line in the contract and one
name here::

    @contract_type(IndicatorDefinition, fields=("code", "name_en", "unit", "description"),
                   renamed={"name": "name_vi"}, descriptions={"name": "The name in Vietnamese."})
    class Indicator:
        ...  # fields the contract does not hold (ids, resolvers), declared as usual

    Indicator.of(view)  # copies every contract field out of the view

What the class declares itself wins: an annotation there (an enum for a ``str`` the service
sends, say) overrides the contract's type, and ``convert`` turns the sent value into it. Each
built type keeps the answer it came from as ``view`` (``strawberry.Private``), for resolvers
that reach past it. A nested Struct becomes the GraphQL type built for it (build that one
first); a field whose type has no GraphQL form (a ``dict``) must be left out or converted.

Fields are copied into the object when it is built, not resolved one by one: a plain value
stays on graphql-core's default resolver, the cheapest path through execution.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import inspect
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

import msgspec
import strawberry

T = TypeVar("T")
S = TypeVar("S", bound=msgspec.Struct)

_SCALARS: tuple[type, ...] = (str, int, float, bool, datetime.date, datetime.datetime)

# The GraphQL type built for each contract Struct, so a nested Struct resolves to it.
_BUILT: dict[type[msgspec.Struct], type] = {}


class FromContract(Generic[S]):
    """The base of a type built by ``contract_type``, for the type checker: at run time the
    decorator supplies ``view``, ``of`` and ``from_view``; strawberry sees no field here."""

    if TYPE_CHECKING:
        view: S

        @classmethod
        def of(cls, view: S, /, **extra: Any) -> Self: ...

        @classmethod
        def from_view(cls, view: S, /, **extra: Any) -> Self: ...


class ContractTypeError(TypeError):
    """A contract field has no GraphQL form, or names a field the Struct does not have."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Copy:
    name: str
    source: str
    convert: Callable[[Any], Any]


def contract_type(
    shape: type[msgspec.Struct],
    *,
    fields: Iterable[str] = (),
    renamed: Mapping[str, str] | None = None,
    descriptions: Mapping[str, str] | None = None,
    convert: Mapping[str, Callable[[Any], Any]] | None = None,
    description: str | None = None,
    name: str | None = None,
    nested: bool = True,
) -> Callable[[type[T]], type[T]]:
    """Make ``cls`` a strawberry type holding ``fields`` of ``shape`` (and ``renamed``: GraphQL
    field → the Struct's field), with ``of(view, **extra)`` building it from an answer.

    ``extra`` fills the fields the class declares itself; a class that defines its own ``of``
    keeps it and calls ``from_view``. The first type built for a Struct is the one a field
    holding that Struct resolves to; a second type built from the same Struct passes
    ``nested=False`` so that choice never depends on which module was imported last.
    """
    renamed = dict(renamed or {})
    descriptions = dict(descriptions or {})
    converters = dict(convert or {})
    wanted = {field: field for field in fields} | renamed
    contract = {f.name: f for f in msgspec.structs.fields(shape)}
    unknown = sorted(source for source in wanted.values() if source not in contract)
    if unknown:
        raise ContractTypeError(f"{shape.__name__} has no field {', '.join(unknown)}")
    for graph_name in descriptions.keys() - wanted.keys():
        raise ContractTypeError(f"a description for {graph_name!r}, which is not taken from {shape.__name__}")

    if nested and shape in _BUILT:
        raise ContractTypeError(
            f"{shape.__name__} already has the GraphQL type {_BUILT[shape].__name__}; build another with nested=False"
        )

    def build(cls: type[T]) -> type[T]:
        annotations: dict[str, Any] = dict(inspect.get_annotations(cls))
        cls.__annotations__ = annotations
        copies: list[_Copy] = []
        for graph_name, source in wanted.items():
            sent = contract[source].type
            declared = graph_name in annotations
            if not declared:
                annotations[graph_name] = _graphql_form(sent, f"{shape.__name__}.{source}")
            if graph_name in descriptions and not isinstance(cls.__dict__.get(graph_name), dataclasses.Field):
                setattr(cls, graph_name, strawberry.field(description=descriptions[graph_name]))
            into = converters.get(graph_name) or (
                _declared_converter(cls, graph_name, sent) if declared else _converter(sent)
            )
            copies.append(_Copy(graph_name, source, into))
        annotations.setdefault("view", strawberry.Private[shape])  # type: ignore[misc, valid-type]
        plan = tuple(copies)

        def from_view(kind: Callable[..., T], view: msgspec.Struct, /, **extra: Any) -> T:
            values = {c.name: c.convert(getattr(view, c.source)) for c in plan}
            return kind(**values, view=view, **extra)

        setattr(cls, "from_view", classmethod(from_view))  # noqa: B010 - the class declares it only for the checker
        if "of" not in cls.__dict__:
            setattr(cls, "of", classmethod(from_view))  # noqa: B010
        built: type[T] = strawberry.type(cls, name=name, description=description)
        if nested:
            _BUILT[shape] = built
        return built

    return build


def built_for(shape: type[msgspec.Struct]) -> type:
    """The GraphQL type built for ``shape`` (for a test, or a resolver converting by hand)."""
    return _BUILT[shape]


def _graphql_form(sent: Any, where: str) -> Any:
    """The GraphQL-side annotation for a field the service sends as ``sent``."""
    if sent in _SCALARS:
        return sent
    if isinstance(sent, type) and issubclass(sent, msgspec.Struct):
        if sent not in _BUILT:
            raise ContractTypeError(f"{where}: build the GraphQL type for {sent.__name__} first")
        return _BUILT[sent]
    if isinstance(sent, type) and issubclass(sent, enum.Enum):
        return sent
    origin, args = typing.get_origin(sent), typing.get_args(sent)
    if origin in (types.UnionType, typing.Union):
        present = [a for a in args if a is not type(None)]
        if len(present) == 1 and len(args) == 2:
            return _graphql_form(present[0], where) | None
    if origin in (list, tuple, frozenset, set) and args:
        item = args[0]
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis) and len(set(args)) != 1:
            raise ContractTypeError(f"{where}: a fixed tuple {sent} has no GraphQL form")
        return list[_graphql_form(item, where)]  # type: ignore[misc]
    if origin is typing.Literal and all(isinstance(a, str) for a in args):
        return str
    raise ContractTypeError(f"{where}: {sent} has no GraphQL form; leave it out or give a converter")


def _converter(sent: Any) -> Callable[[Any], Any]:
    """Turns a sent value into what the built field holds (nested Structs into their types)."""
    if isinstance(sent, type) and issubclass(sent, msgspec.Struct):
        of: Callable[[Any], Any] = getattr(_BUILT[sent], "of")  # noqa: B009 - set by contract_type
        return of
    origin, args = typing.get_origin(sent), typing.get_args(sent)
    if origin in (types.UnionType, typing.Union):
        present = [a for a in args if a is not type(None)]
        inner = _converter(present[0])
        if inner is _same:
            return _same
        return lambda value: None if value is None else inner(value)
    if origin in (list, tuple, frozenset, set) and args:
        inner = _converter(args[0])
        if inner is _same:
            return list if origin is not list else _same
        return lambda value: [inner(item) for item in value]
    return _same


def _declared_converter(cls: type, graph_name: str, sent: Any) -> Callable[[Any], Any]:
    """A class annotation that is an enum takes the sent string by value; anything else as sent."""
    annotation = inspect.get_annotations(cls)[graph_name]
    if isinstance(annotation, str):  # ``from __future__ import annotations``: resolve in the class's module
        try:
            annotation = eval(annotation, vars(sys.modules[cls.__module__]))  # noqa: S307 - the module's own annotation
        except NameError:  # a forward reference to a type defined later: not an enum of ours
            return _converter(sent)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation
    return _converter(sent)


def _same(value: Any) -> Any:
    return value
