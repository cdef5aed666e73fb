"""Inputs of the metrics mutations beyond a value and a target: the catalogue and thresholds."""

from __future__ import annotations

import enum

import strawberry

from services.gateway.graphql.inputs import KEY_HELP


@strawberry.enum(description="stock: the latest value counts; flow: values add up over time.")
class IndicatorKind(enum.Enum):
    STOCK = "stock"
    FLOW = "flow"


@strawberry.enum(description="How a parent's value follows from its descendants' when it is not reported itself.")
class IndicatorRollup(enum.Enum):
    SUM = "sum"
    AVERAGE = "average"
    RATIO_OF_SUMS = "ratio_of_sums"


@strawberry.enum(description="Where values come from: reported, counted from events, a formula, a weighted index.")
class IndicatorMethod(enum.Enum):
    REPORTED = "reported"
    COMPUTED = "computed"
    FORMULA = "formula"
    COMPOSITE = "composite"


@strawberry.enum(description="For computed indicators: add the facts up, or count the units that have any.")
class IndicatorAggregate(enum.Enum):
    SUM = "sum"
    DISTINCT_UNITS = "distinct_units"


@strawberry.enum(description="A value is in the alert zone when it is lt/le/gt/ge the threshold.")
class ThresholdOperator(enum.Enum):
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"


@strawberry.enum
class AlertSeverity(enum.Enum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


@strawberry.enum(description="The level of units a threshold applies to.")
class AlertLevel(enum.Enum):
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


@strawberry.input(description="One weighted part of a composite index.")
class IndicatorComponentInput:
    code: str
    weight: float


@strawberry.input(description="An indicator as the catalogue defines it; an existing code is revised.")
class IndicatorDefinitionInput:
    code: str = strawberry.field(description="Dotted, lower case: radio.communes.ip_share.")
    name_vi: str
    name_en: str
    unit: str = strawberry.field(description="%, count, hours, km, VND, index…; % values lie in 0..100.")
    kind: IndicatorKind
    rollup: IndicatorRollup
    method: IndicatorMethod
    group: str = strawberry.field(description="radio, telecom, teams, egov, citizens, economy, admin, index.")
    description: str | None = None
    formula: str | None = strawberry.field(
        default=None, description="For FORMULA: 100 * {radio.communes.ip} / {admin.communes}."
    )
    components: list[IndicatorComponentInput] | None = strawberry.field(default=None, description="For COMPOSITE.")
    fact: str | None = strawberry.field(default=None, description="For COMPUTED: the fact counted.")
    aggregate: IndicatorAggregate = IndicatorAggregate.SUM
    minimum: float | None = None
    maximum: float | None = None
    higher_is_better: bool = True
    reporting_deadline_days: int | None = strawberry.field(
        default=None, description="For REPORTED: a period's report is on time within this many days after it ends."
    )


@strawberry.input
class DefineIndicatorsInput:
    indicators: list[IndicatorDefinitionInput]
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class RetireIndicatorInput:
    code: str
    reason: str | None = None
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class SetAlertThresholdInput:
    indicator_code: str
    operator: ThresholdOperator
    threshold: float
    level: AlertLevel | None = strawberry.field(default=None, description="Every level without it.")
    severity: AlertSeverity = AlertSeverity.WARNING
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)


@strawberry.input
class RemoveAlertThresholdInput:
    indicator_code: str
    idempotency_key: str | None = strawberry.field(default=None, description=KEY_HELP)
