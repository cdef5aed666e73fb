"""The bodies of the bulk routes cut into items: a JSON array (``application/json``) or a CSV
file with a header row naming the fields (``text/csv``, as a spreadsheet saves it).

A body that is neither, or holds more than ``MAX_BATCH_ITEMS`` items, is refused whole (400,
415, 413) before anything runs; inside a good body, an item that does not decode into its
shape is rejected alone (``invalid_item``, with msgspec's message naming the field) and the
others go on. In CSV an empty cell is a field left out, and the values are read as the shape
says (``2.5`` a number, ``2026-01-05T08:00:00+07:00`` a time).
"""

from __future__ import annotations

import csv
import functools
import io
from typing import Any, TypeVar

import msgspec

from contracts.api.batches import MAX_BATCH_ITEMS, ItemResult
from libs.common.errors import InvalidInputError

T = TypeVar("T", bound=msgspec.Struct)

JSON = "application/json"
CSV = "text/csv"

_array = msgspec.json.Decoder(list[msgspec.Raw])


@functools.cache
def _decoder(shape: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(shape)


class TooManyItemsError(InvalidInputError):
    code = "too_many_items"


class UnsupportedMediaError(InvalidInputError):
    code = "unsupported_media_type"


class Items(msgspec.Struct, frozen=True):
    """What a body holds: the items that decoded, by their index, and the rejections of the others."""

    decoded: list[tuple[int, Any]]
    rejected: list[ItemResult]

    @property
    def count(self) -> int:
        return len(self.decoded) + len(self.rejected)


def read_items(body: bytes, content_type: str, shape: type[T]) -> Items:
    media = content_type.split(";", 1)[0].strip().lower()
    if media in {JSON, ""}:
        return _from_json(body, shape)
    if media in {CSV, "application/csv"}:
        return _from_csv(body, shape)
    raise UnsupportedMediaError(
        f"send a JSON array ({JSON}) or CSV with a header row ({CSV}), not {media!r}", details={"media_type": media}
    )


def _check_count(count: int) -> None:
    if count > MAX_BATCH_ITEMS:
        raise TooManyItemsError(
            f"a batch takes at most {MAX_BATCH_ITEMS:,} items; this one has {count:,}: split it",
            details={"max_items": MAX_BATCH_ITEMS, "items": count},
        )
    if count == 0:
        raise InvalidInputError("the batch holds no items", code="empty_batch")


def _from_json(body: bytes, shape: type[T]) -> Items:
    try:
        # The common case, every item good, in one pass; the items are cut apart only to find
        # which ones are not.
        whole = _decoder(list[shape])  # type: ignore[valid-type]
        items = whole.decode(body)
    except msgspec.DecodeError:
        pass
    else:
        _check_count(len(items))
        return Items(list(enumerate(items)), [])
    try:
        raw = _array.decode(body)
    except msgspec.DecodeError as exc:
        raise InvalidInputError(f"the body is not a JSON array of items ({exc})", code="invalid_request") from None
    _check_count(len(raw))
    decoder = _decoder(shape)
    decoded: list[tuple[int, Any]] = []
    rejected: list[ItemResult] = []
    for index, item in enumerate(raw):
        try:
            decoded.append((index, decoder.decode(item)))
        except msgspec.DecodeError as exc:
            rejected.append(_invalid(index, str(exc)))
    return Items(decoded, rejected)


def _from_csv(body: bytes, shape: type[T]) -> Items:
    try:
        text = body.decode("utf-8-sig")  # a spreadsheet's UTF-8 export starts with a byte-order mark
    except UnicodeDecodeError:
        raise InvalidInputError("the CSV file is not UTF-8 text", code="invalid_request") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise InvalidInputError(f"the CSV file cannot be read ({exc})", code="invalid_request") from None
    if not reader.fieldnames:
        raise InvalidInputError("the CSV file has no header row naming the fields", code="invalid_request")
    _check_count(len(rows))
    decoded: list[tuple[int, Any]] = []
    rejected: list[ItemResult] = []
    for index, row in enumerate(rows):
        if None in row:
            rejected.append(_invalid(index, f"row {index + 2}: more cells than the header names"))
            continue
        fields = {name.strip(): value for name, value in row.items() if value not in {None, ""}}
        try:
            decoded.append((index, msgspec.convert(fields, shape, strict=False)))
        except msgspec.ValidationError as exc:
            rejected.append(_invalid(index, f"row {index + 2}: {exc}"))
    return Items(decoded, rejected)


def _invalid(index: int, message: str) -> ItemResult:
    return ItemResult(index=index, status="rejected", code="invalid_item", message=message)
