"""Where a bulk import stands after each chunk; what it answers is
:class:`contracts.api.registry_views.ImportReport`."""

from __future__ import annotations

import msgspec

from contracts.api.registry_views import ImportReport, ItemError, ItemResult, ItemStatus

__all__ = ["ImportProgress", "ImportReport", "ItemError", "ItemResult", "ItemStatus"]


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
