"""Bodies of a bulk import, cut into items: a JSON array, NDJSON, or dicts built in-process.

A body that is not an array (or not UTF-8 JSON at all) is refused as a whole; inside a valid
body, an item that is not a JSON object, or an NDJSON line that does not parse, becomes a
rejected item (with its line number) and the rest of the import goes on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import msgspec

from libs.common.errors import InvalidInputError
from services.registry.application.import_report import ItemError

MAX_ITEMS = 10_000

_object = msgspec.json.Decoder(dict[str, Any])
_array = msgspec.json.Decoder(list[msgspec.Raw])


class TooManyItemsError(InvalidInputError):
    code = "too_many_items"


class RawItem(msgspec.Struct, frozen=True, kw_only=True):
    """One item before its kind is known: its fields, or why it could not be read."""

    index: int
    fields: dict[str, Any] | None = None
    line: int | None = None
    error: ItemError | None = None


def check_count(count: int) -> None:
    if count > MAX_ITEMS:
        raise TooManyItemsError(
            f"an import takes at most {MAX_ITEMS:,} items; this one has {count:,}: split it",
            details={"max_items": MAX_ITEMS, "items": count},
        )


def _read(index: int, raw: bytes, line: int | None) -> RawItem:
    where = f"line {line}: " if line is not None else ""
    try:
        return RawItem(index=index, fields=_object.decode(raw), line=line)
    except msgspec.DecodeError as exc:
        message = f"{where}not a JSON object ({exc})"
        return RawItem(index=index, line=line, error=ItemError(code="invalid_item", message=message))


def from_json_array(body: bytes) -> list[RawItem]:
    try:
        values = _array.decode(body)
    except msgspec.DecodeError as exc:
        raise InvalidInputError(f"the body is not a JSON array of items ({exc})", code="invalid_request") from None
    check_count(len(values))
    return [_read(i, bytes(raw), None) for i, raw in enumerate(values)]


def from_ndjson(body: bytes) -> list[RawItem]:
    """One JSON object per line; blank lines are skipped, lines are numbered from 1."""
    lines = [(n, line) for n, line in enumerate(body.split(b"\n"), start=1) if line.strip()]
    check_count(len(lines))
    return [_read(i, line, n) for i, (n, line) in enumerate(lines)]


def from_dicts(items: Iterable[Mapping[str, Any]]) -> list[RawItem]:
    """Items built in-process (the seed); same rules as a JSON array."""
    out = [RawItem(index=i, fields=dict(item)) for i, item in enumerate(items)]
    check_count(len(out))
    return out
