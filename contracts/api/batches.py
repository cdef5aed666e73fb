"""Bulk ingestion's wire shapes: batches of items, each item with its own key, and the answer
that gives every item its own result (ADR 0040).

A partner sends these to the gateway's ``/api/v1/bulk/…`` routes (JSON, or CSV with the same
field names as columns); the services take the batches as they are (``POST
/commands/batches/…``: signal reports, relay sessions and delivery steps in broadcast,
indicator values in metrics). An item's ``key`` makes a retry do nothing twice; an
item sent without one is keyed by its content (the same report sent again is a duplicate).
"""

from __future__ import annotations

import collections
import datetime
import hashlib
import operator
from typing import Annotated, Any, Literal

import msgspec

from contracts.api.broadcast import Body, RelaySessionBody, SignalReportBody

MAX_BATCH_ITEMS = 10_000
"""Items of one bulk request at most (a year of a district's relay logs is about 1,200)."""
MAX_ITEM_KEY = 150
"""An item's key at most: it becomes part of an idempotency key the services bound at 200."""

ItemStatus = Literal["accepted", "duplicate", "rejected"]
DeliveryStep = Literal["received", "aired", "failed"]
ItemKey = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_ITEM_KEY, pattern=r"^[!-~]+$")]
"""Visible ASCII, no spaces: it travels in an ``Idempotency-Key`` header when an item is run
through a service's own command."""


# --- items --------------------------------------------------------------------------------------


class SignalReportItem(SignalReportBody, frozen=True, kw_only=True):
    key: ItemKey | None = None


class RelaySessionItem(RelaySessionBody, frozen=True, kw_only=True):
    key: ItemKey | None = None


class IndicatorValueItem(Body, frozen=True, kw_only=True):
    """The metrics service's ``ReportValue`` with a key (a correction is a report of a new value)."""

    indicator_code: str
    unit_code: str
    period: str
    value: float
    source: str | None = None
    comment: str | None = None
    key: ItemKey | None = None


class DeliveryStepItem(Body, frozen=True, kw_only=True):
    """A station's step on one programme it was sent: received, aired, or failed (with a reason)."""

    programme_id: str
    station_id: str
    step: DeliveryStep
    at: datetime.datetime | None = None
    """When it happened; default: when the service records it."""
    reason: str | None = None
    content_hash: str | None = None
    key: ItemKey | None = None


class SignalReportBatch(Body, frozen=True, kw_only=True):
    items: Annotated[list[SignalReportItem], msgspec.Meta(min_length=1, max_length=MAX_BATCH_ITEMS)]


class RelaySessionBatch(Body, frozen=True, kw_only=True):
    items: Annotated[list[RelaySessionItem], msgspec.Meta(min_length=1, max_length=MAX_BATCH_ITEMS)]


class IndicatorValueBatch(Body, frozen=True, kw_only=True):
    items: Annotated[list[IndicatorValueItem], msgspec.Meta(min_length=1, max_length=MAX_BATCH_ITEMS)]


class DeliveryStepBatch(Body, frozen=True, kw_only=True):
    items: Annotated[list[DeliveryStepItem], msgspec.Meta(min_length=1, max_length=MAX_BATCH_ITEMS)]


def item_digest(item: msgspec.Struct) -> str:
    """A SHA-256 of the item as sent (fields left at their defaults are not part of it)."""
    return hashlib.sha256(msgspec.json.encode(item, order="deterministic")).hexdigest()


def item_key(item: msgspec.Struct, given: str | None, digest: str | None = None) -> str:
    """The item's key: the one given, else its content's digest (``item_digest``, computed here
    unless the caller has it)."""
    if given is not None:
        return given
    return "sha256-" + (digest or item_digest(item))[:40]


# --- answers ------------------------------------------------------------------------------------


class ItemResult(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, gc=False):
    """``accepted``: the item's command ran; ``duplicate``: its key was used before for the same
    item, so nothing ran again (``ids`` are the first run's); ``rejected``: ``code`` and
    ``message`` say why, and nothing of the item was stored.

    ``gc=False``: a batch answers with up to 10,000 of these, made and decoded at once, and none
    is part of a reference cycle; tracked, they set off collection after collection that scan
    them to find nothing."""

    index: int
    """The item's place in the request, from 0 (for CSV: the data row, header not counted)."""
    status: ItemStatus
    key: str | None = None
    ids: list[str] = []
    """What the item created or acted on: a relay session's id, a cluster's id, a value's stream."""
    code: str | None = None
    message: str | None = None
    details: dict[str, Any] = {}


class BatchResult(msgspec.Struct, frozen=True, kw_only=True):
    accepted: int
    duplicate: int
    rejected: int
    items: list[ItemResult]

    @classmethod
    def of(cls, items: list[ItemResult]) -> BatchResult:
        items = sorted(items, key=_index)
        counts = collections.Counter(map(_status, items))
        return cls(accepted=counts["accepted"], duplicate=counts["duplicate"], rejected=counts["rejected"], items=items)


_index = operator.attrgetter("index")
_status = operator.attrgetter("status")
