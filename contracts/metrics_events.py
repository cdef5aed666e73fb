"""Events of the metrics service's topic: the indicator catalogue, reported values and their
corrections, targets, alert thresholds, and what the service derives from them: an indicator's
value changed (reported or computed from registry and broadcast events) and a threshold was
breached or cleared.

Streams: ``catalogue`` (one stream: every definition, so a formula's references and cycles are
checked against the whole catalogue in one decision), ``value:<code>:<unit_id>:<period>`` (a
reported value and its corrections), ``target:<code>:<unit_id>:<year>``,
``thresholds:<code>``, ``computed:<code>:<unit_id>:<period>`` (what the computing projection
emits), and ``approval:<indicator_set>:<unit_id>:<period>`` (a unit's data approval, ADR 0055).

Periods are strings: ``"2023"`` (year), ``"2023Q3"`` (quarter), ``"2023-10"`` (month). Units are
named by the registry's ``unit_id`` (codes are reused after merges) and, for readers, by the
``unit_code`` they had for the period.
"""

from __future__ import annotations

import datetime
from typing import Literal

import msgspec

from contracts.base import Event
from contracts.catalogue import EventCatalogue

IndicatorKind = Literal["stock", "flow"]
"""stock: the latest value counts (stations in service); flow: values add up over time (airtime)."""
Rollup = Literal["sum", "average", "ratio_of_sums"]
"""How a parent's value follows from its descendants' when it is not reported for the parent
itself. ``ratio_of_sums`` applies to formula indicators: the inputs are summed, then the
formula is evaluated (the province's IP-station share is IP stations / communes, not the mean
of its districts' shares)."""
Method = Literal["reported", "computed", "formula", "composite"]
"""reported: partners send values; computed: counted from registry/broadcast events;
formula: an expression over other indicators; composite: a weighted sum of other indicators."""
Aggregate = Literal["sum", "distinct_units"]
"""For computed indicators: add the facts up, or count the units (at or below the one asked
about) that have any."""
ValueOrigin = Literal["reported", "computed"]
ThresholdOperator = Literal["lt", "le", "gt", "ge"]
Severity = Literal["info", "warning", "critical"]
AlertLevel = Literal["province", "district", "commune"]
ApprovalStatus = Literal["open", "submitted", "district_approved", "locked"]
"""Where a unit's values of an indicator set for a period stand: open (reports and corrections
accepted), submitted by the unit, approved by its district, approved by the province and locked."""
ApprovalLevel = Literal["district", "province"]


class Component(msgspec.Struct, frozen=True, kw_only=True):
    """One weighted part of a composite index."""

    code: str
    weight: float


class IndicatorDefinition(msgspec.Struct, frozen=True, kw_only=True):
    code: str
    """Dotted, lower case: ``radio.communes.ip_share``."""
    name_vi: str
    name_en: str
    unit: str
    """``%``, ``count``, ``hours``, ``km``, ``VND``, ``index``…; ``%`` values lie in 0..100."""
    kind: IndicatorKind
    rollup: Rollup
    method: Method
    group: str
    """radio, telecom, teams, egov, citizens, economy, admin, index."""
    description: str | None = None
    formula: str | None = None
    """For ``formula``: ``100 * {radio.communes.ip} / {admin.communes}``."""
    components: list[Component] = msgspec.field(default_factory=list)
    """For ``composite``: the weighted parts (each 0..100)."""
    fact: str | None = None
    """For ``computed``: the fact the metrics service counts (``radio.stations.ip``)."""
    aggregate: Aggregate = "sum"
    minimum: float | None = None
    maximum: float | None = None
    higher_is_better: bool = True
    reporting_deadline_days: int | None = None
    """For ``reported``: a period's report is on time when first recorded within this many days
    after the period ends (the province's days); ``None``: no deadline, no timeliness."""


class IndicatorDefined(Event, frozen=True, kw_only=True, tag="metrics.indicator_defined"):
    definition: IndicatorDefinition


class IndicatorRevised(Event, frozen=True, kw_only=True, tag="metrics.indicator_revised"):
    """A new definition of an existing code replaces the old one (the old stays in the log)."""

    definition: IndicatorDefinition
    previous: IndicatorDefinition


class IndicatorRetired(Event, frozen=True, kw_only=True, tag="metrics.indicator_retired"):
    code: str
    reason: str | None = None


class IndicatorValueReported(Event, frozen=True, kw_only=True, tag="metrics.indicator_value_reported"):
    indicator_code: str
    unit_id: str
    unit_code: str
    period: str
    value: float
    source: str
    """Who the figure comes from (a report, an operator's system): shown with the value."""
    comment: str | None = None


class IndicatorValueCorrected(Event, frozen=True, kw_only=True, tag="metrics.indicator_value_corrected"):
    """A reported value replaced; the earlier report stays in the stream as history."""

    indicator_code: str
    unit_id: str
    unit_code: str
    period: str
    value: float
    previous_value: float
    source: str
    comment: str | None = None


class IndicatorTargetSet(Event, frozen=True, kw_only=True, tag="metrics.indicator_target_set"):
    indicator_code: str
    unit_id: str
    unit_code: str
    year: int
    target: float
    previous_target: float | None = None


class AlertThresholdSet(Event, frozen=True, kw_only=True, tag="metrics.alert_threshold_set"):
    """Alert when a unit's value of the indicator is ``operator`` ``threshold`` (``lt 90``)."""

    indicator_code: str
    operator: ThresholdOperator
    threshold: float
    level: AlertLevel | None = None
    """Only units of this level (``None``: every level)."""
    severity: Severity = "warning"


class AlertThresholdRemoved(Event, frozen=True, kw_only=True, tag="metrics.alert_threshold_removed"):
    indicator_code: str


class IndicatorValueChanged(Event, frozen=True, kw_only=True, tag="metrics.indicator_value_changed"):
    """A unit's value of an indicator for a period is now ``value`` (what the IOC watches).

    Emitted once per change: by the report/correct commands, and by the computing projection in
    the transaction that moves its checkpoint, only when the value differs from the last one
    emitted.
    """

    indicator_code: str
    unit_id: str
    unit_code: str
    unit_level: str
    period: str
    value: float | None
    reason: str | None = None
    """Why ``value`` is null (``division by zero: {admin.communes} is 0``)."""
    previous_value: float | None = None
    target: float | None = None
    origin: ValueOrigin
    source: str
    as_of: datetime.datetime
    """When the value became true: the registry/broadcast event's effective time, or the report's."""


class IndicatorThresholdBreached(Event, frozen=True, kw_only=True, tag="metrics.indicator_threshold_breached"):
    indicator_code: str
    unit_id: str
    unit_code: str
    period: str
    value: float
    operator: ThresholdOperator
    threshold: float
    severity: Severity
    as_of: datetime.datetime


class IndicatorThresholdCleared(Event, frozen=True, kw_only=True, tag="metrics.indicator_threshold_cleared"):
    indicator_code: str
    unit_id: str
    unit_code: str
    period: str
    value: float | None
    operator: ThresholdOperator
    threshold: float
    as_of: datetime.datetime


class DataSubmitted(Event, frozen=True, kw_only=True, tag="metrics.data_submitted"):
    """A unit's values of an indicator set for a period submitted for approval (DHIS2's
    "ready for approval"): the unit vouches for them."""

    indicator_set: str
    """The catalogue's group of the indicators (``telecom``, ``egov``...)."""
    unit_id: str
    unit_code: str
    period: str
    submitted_by: str
    """The caller's subject (a person or a partner's system)."""
    submitted_at: datetime.datetime


class DataApproved(Event, frozen=True, kw_only=True, tag="metrics.data_approved"):
    """The submitted values approved by the unit's district, then by the province."""

    indicator_set: str
    unit_id: str
    unit_code: str
    period: str
    level: ApprovalLevel
    approved_by: str
    approved_at: datetime.datetime


class DataLocked(Event, frozen=True, kw_only=True, tag="metrics.data_locked"):
    """The values approved by the province are locked: reports and corrections are refused
    (409 ``data_locked``) until the approval is reopened."""

    indicator_set: str
    unit_id: str
    unit_code: str
    period: str
    locked_at: datetime.datetime


class DataReopened(Event, frozen=True, kw_only=True, tag="metrics.data_reopened"):
    """The approval undone with a reason: the values are open again and must be submitted anew."""

    indicator_set: str
    unit_id: str
    unit_code: str
    period: str
    previous_status: ApprovalStatus
    reason: str
    reopened_by: str
    reopened_at: datetime.datetime


CATALOGUE_EVENTS: list[type[Event]] = [IndicatorDefined, IndicatorRevised, IndicatorRetired]
VALUE_EVENTS: list[type[Event]] = [IndicatorValueReported, IndicatorValueCorrected, IndicatorTargetSet]
ALERT_EVENTS: list[type[Event]] = [
    AlertThresholdSet,
    AlertThresholdRemoved,
    IndicatorThresholdBreached,
    IndicatorThresholdCleared,
]
APPROVAL_EVENTS: list[type[Event]] = [DataSubmitted, DataApproved, DataLocked, DataReopened]

CATALOGUE = EventCatalogue(
    "metrics", [*CATALOGUE_EVENTS, *VALUE_EVENTS, IndicatorValueChanged, *ALERT_EVENTS, *APPROVAL_EVENTS]
)
