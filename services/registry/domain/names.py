"""Vietnamese names and official codes as the registry accepts them."""

from __future__ import annotations

import datetime
import re
import unicodedata

from libs.common.errors import InvalidInputError

_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")
MAX_NAME = 200


def clean_name(raw: str, *, field: str = "name") -> str:
    """NFC-normalised, trimmed, single-spaced; refuses empty names and control characters.

    Vietnamese arrives both precomposed and decomposed (``ể`` as one code point or as ``e`` plus
    two marks); NFC makes the two spellings one string, so equality and uniqueness work.
    """
    name = " ".join(unicodedata.normalize("NFC", raw).split())
    if not name:
        raise InvalidInputError(f"{field} is empty", code="invalid_name")
    if len(name) > MAX_NAME:
        raise InvalidInputError(f"{field} is longer than {MAX_NAME} characters", code="invalid_name")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") for ch in name):
        raise InvalidInputError(f"{field} contains control or unassigned characters", code="invalid_name")
    return name


def clean_code(raw: str, *, field: str = "code") -> str:
    code = raw.strip()
    if not _CODE.match(code):
        raise InvalidInputError(
            f"{field} {raw!r} is not an official code (letters, digits, '.', '_' or '-', up to 32)",
            code="invalid_code",
        )
    return code


def day_before(day: datetime.date) -> datetime.date:
    """The last day a unit that ends on ``day`` still existed."""
    if day == datetime.date.min:
        raise InvalidInputError("the date is out of range", code="invalid_date")
    return day - datetime.timedelta(days=1)
