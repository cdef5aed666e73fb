"""Partners as the gateway keeps them, and the rules their attributes follow (pure)."""

from __future__ import annotations

import datetime
import re

import msgspec

from libs.common.errors import InvalidInputError
from libs.common.principal import SCOPES, Principal

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,31}$")
_UNIT = re.compile(r"^[0-9A-Za-z._-]{1,32}$")


class Partner(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    scopes: frozenset[str]
    organisation: str | None = None
    unit_code: str | None = None
    created_at: datetime.datetime | None = None
    revoked_at: datetime.datetime | None = None

    def principal(self) -> Principal:
        return Principal(
            subject=f"partner:{self.name}",
            partner=self.name,
            scopes=self.scopes,
            organisation=self.organisation,
            unit_code=self.unit_code,
        )


def normalise_name(raw: str) -> str:
    name = raw.strip().lower()
    if not _NAME.match(name):
        raise InvalidInputError(
            f"partner name {raw!r} is invalid: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
            code="invalid_partner_name",
        )
    return name


def normalise_scopes(raw: list[str] | tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    scopes = frozenset(s.strip() for s in raw)
    unknown = sorted(scopes - SCOPES)
    if unknown:
        raise InvalidInputError(
            f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(sorted(SCOPES))}", code="unknown_scope"
        )
    if not scopes:
        raise InvalidInputError("a partner needs at least one scope", code="unknown_scope")
    return scopes


def normalise_organisation(raw: str | None) -> str | None:
    """The operator code as registry assets carry it (upper case: VNPT, VIETTEL)."""
    if raw is None or not raw.strip():
        return None
    code = raw.strip().upper()
    if not _CODE.match(code):
        raise InvalidInputError(f"organisation code {raw!r} is invalid", code="invalid_organisation")
    return code


def normalise_unit_code(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    code = raw.strip()
    if not _UNIT.match(code):
        raise InvalidInputError(f"unit code {raw!r} is invalid", code="invalid_unit_code")
    return code
