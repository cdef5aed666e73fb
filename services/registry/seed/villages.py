"""Synthetic villages: 1,292 of them (the province's 2022 count), spread over the communes.

No public list of Bắc Kạn's villages was found (see ``data/README.md``), so these are made
up and say so: "Thôn mẫu 01" ("sample village 01") in a commune (xã), "Tổ dân phố mẫu 01"
("sample street group 01") in a ward or township (phường, thị trấn), coded
``<commune code>-T01``.

The spread is deterministic and independent of order: each commune gets a weight from a
SHA-256 of its code, at least :data:`MIN_PER_COMMUNE` villages, and the rest in proportion
to its weight (largest remainders first), so every run and every machine gets the same
villages.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence

import msgspec

from services.registry.seed.reference import ReferenceUnit

VILLAGES_2022 = 1_292
MIN_PER_COMMUNE = 3
URBAN_TYPES = frozenset({"Phường", "Thị trấn"})


class Village(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    name: str
    unit_type: str
    parent_code: str


def _weight(code: str) -> float:
    digest = hashlib.sha256(f"tinhso-villages:{code}".encode()).digest()
    return 0.4 + 1.2 * int.from_bytes(digest[:4], "big") / 2**32


def village_counts(commune_codes: Sequence[str], total: int = VILLAGES_2022) -> dict[str, int]:
    """How many villages each commune gets; every commune at least ``MIN_PER_COMMUNE``."""
    if total < MIN_PER_COMMUNE * len(commune_codes):
        raise ValueError(f"{total} villages cannot give {len(commune_codes)} communes {MIN_PER_COMMUNE} each")
    weights = {code: _weight(code) for code in commune_codes}
    spare = total - MIN_PER_COMMUNE * len(commune_codes)
    shares = {code: w / sum(weights.values()) * spare for code, w in weights.items()}
    counts = {code: MIN_PER_COMMUNE + math.floor(share) for code, share in shares.items()}
    left = total - sum(counts.values())
    for code in sorted(shares, key=lambda c: (math.floor(shares[c]) - shares[c], c))[:left]:
        counts[code] += 1
    return counts


def villages(communes: Sequence[ReferenceUnit], total: int = VILLAGES_2022) -> list[Village]:
    """The villages of ``communes``, grouped by commune in the communes' order."""
    counts = village_counts([c.code for c in communes], total)
    out: list[Village] = []
    for commune in communes:
        urban = commune.unit_type in URBAN_TYPES
        kind, label = ("Tổ dân phố", "Tổ dân phố mẫu") if urban else ("Thôn", "Thôn mẫu")
        out.extend(
            Village(code=f"{commune.code}-T{n:02d}", name=f"{label} {n:02d}", unit_type=kind, parent_code=commune.code)
            for n in range(1, counts[commune.code] + 1)
        )
    return out
