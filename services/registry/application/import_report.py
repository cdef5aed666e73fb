"""What a bulk import answers: one result per item, totals, and progress per chunk."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

ItemStatus = Literal["created", "unchanged", "rejected"]


class ItemError(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    code: str
    message: str
    details: dict[str, Any] = {}


class ItemResult(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """``created``: the item appended events; ``unchanged``: it was already done (its
    idempotency record replayed, or an identical unit exists); ``rejected``: ``error`` says why.
    ``line`` is the item's line in an NDJSON body."""

    index: int
    status: ItemStatus
    kind: str | None = None
    line: int | None = None
    unit_id: str | None = None
    code: str | None = None
    error: ItemError | None = None


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    created: int
    unchanged: int
    rejected: int
    items: list[ItemResult]

    @classmethod
    def of(cls, items: list[ItemResult]) -> ImportReport:
        counts = dict.fromkeys(("created", "unchanged", "rejected"), 0)
        for item in items:
            counts[item.status] += 1
        return cls(created=counts["created"], unchanged=counts["unchanged"], rejected=counts["rejected"], items=items)


class ImportProgress(msgspec.Struct, frozen=True, kw_only=True):
    """Where an import stands after a chunk."""

    chunk: int
    chunks: int
    done: int
    total: int
    created: int
    unchanged: int
    rejected: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def describe(self) -> str:
        return (
            f"chunk {self.chunk}/{self.chunks}: {self.done}/{self.total} items "
            f"(created {self.created}, unchanged {self.unchanged}, rejected {self.rejected}), "
            f"{self.rate:,.0f} items/s"
        )
