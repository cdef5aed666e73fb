"""Scalars and enums of the public contract, and the mapping to the services' own spellings."""

from __future__ import annotations

import enum
import re
from typing import NewType, TypeVar

import strawberry
from graphql import GraphQLError

E = TypeVar("E", bound=enum.Enum)

PERIOD_PATTERN = re.compile(r"^\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$")


def _parse_period(value: object) -> str:
    if not isinstance(value, str) or not PERIOD_PATTERN.match(value):
        raise GraphQLError(
            f"a Period is a year (2023), a quarter (2023Q3) or a month (2023-10), not {value!r}",
            extensions={"code": "VALIDATION"},
        )
    return value


Period = NewType("Period", str)

PERIOD_SCALAR = strawberry.scalar(
    name="Period",
    description='A year ("2023"), a quarter ("2023Q3") or a month ("2023-10"), in the province\'s time zone.',
    serialize=str,
    parse_value=_parse_period,
)


@strawberry.enum
class UnitLevel(enum.Enum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"
    VILLAGE = "village"


@strawberry.enum
class StationTechnology(enum.Enum):
    WIRED = "WIRED"
    FM = "FM"
    IP = "IP"


@strawberry.enum
class OperationalStatus(enum.Enum):
    OPERATIONAL = "OPERATIONAL"
    DEGRADED = "DEGRADED"
    DOWN = "DOWN"
    DECOMMISSIONED = "DECOMMISSIONED"


@strawberry.enum
class SignalStatus(enum.Enum):
    ONLINE = "ONLINE"
    NO_SIGNAL = "NO_SIGNAL"
    OFFLINE = "OFFLINE"
    UNKNOWN = "UNKNOWN"


@strawberry.enum
class RelaySource(enum.Enum):
    VOV1 = "VOV1"
    VTV1 = "VTV1"
    PROVINCIAL = "PROVINCIAL"
    LOCAL = "LOCAL"
    OTHER = "OTHER"


@strawberry.enum
class RadioTech(enum.Enum):
    G2 = "2G"
    G3 = "3G"
    G4 = "4G"
    G5 = "5G"


def enum_value(cls: type[E], raw: str, default: E) -> E:
    """A service's value as the contract's enum; a value the contract does not know yet reads
    as ``default`` rather than failing the whole query."""
    try:
        return cls(raw)
    except ValueError:
        return default
