"""Vietnamese names and official codes as the registry accepts them."""

from __future__ import annotations

import datetime
import re

from libs.common.errors import InvalidInputError

_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,31}$")


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
