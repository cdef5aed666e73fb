"""Metrics text (indicator names, units, groups, descriptions, retire reasons, a report's
source and comment) is NFC and refuses control, bidirectional and format characters.

Failed before the fix: metrics checked only length, so an indicator named with a
right-to-left override or a decomposed Vietnamese name was stored and shown as given.
"""

from __future__ import annotations

import datetime
import unicodedata

import msgspec
import pytest

from contracts.metrics_events import IndicatorDefined, IndicatorRetired, IndicatorValueReported
from libs.common.errors import InvalidInputError
from services.metrics.domain import catalogue, values
from services.metrics.domain.periods import Period
from services.metrics.seed.indicators import REPORTED
from tests.unit.metrics.test_catalogue import COUNT

BANK = next(d for d in REPORTED if d.code == "citizens.bank_account_15plus")
UNIT = values.UnitRef("u-06", "06", "province")
NOW = datetime.datetime(2023, 1, 5, tzinfo=datetime.UTC)
NAME = "Tỷ lệ xã có đài truyền thanh"


def test_an_indicator_name_is_stored_composed() -> None:
    decomposed = msgspec.structs.replace(COUNT, name_vi=unicodedata.normalize("NFD", NAME))
    [defined] = catalogue.decide(catalogue.DefineIndicators([decomposed]), catalogue.Catalogue())
    assert isinstance(defined, IndicatorDefined)
    assert defined.definition.name_vi == NAME


@pytest.mark.parametrize("field", ["name_vi", "name_en", "unit", "group", "description"])
def test_an_indicator_text_with_a_bidirectional_override_is_refused(field: str) -> None:
    spoofed = msgspec.structs.replace(COUNT, **{field: "count\u202eevil"})
    with pytest.raises(InvalidInputError) as refused:
        catalogue.decide(catalogue.DefineIndicators([spoofed]), catalogue.Catalogue())
    assert refused.value.code == ("invalid_text" if field == "description" else "invalid_name")
    assert refused.value.details["field"] == field


@pytest.mark.parametrize("field", ["name_vi", "name_en", "unit", "group"])
@pytest.mark.parametrize("line_break", ["\n", "\t"])
def test_an_indicator_name_unit_or_group_is_one_line(field: str, line_break: str) -> None:
    """Failed before the fix: names, units and groups went through the multi-line text rule, so
    ``"Tỷ lệ\nxã"`` was stored; the registry refuses line breaks in its names, and so do we."""
    broken = msgspec.structs.replace(COUNT, **{field: f"Tỷ lệ{line_break}xã"})
    with pytest.raises(InvalidInputError) as refused:
        catalogue.decide(catalogue.DefineIndicators([broken]), catalogue.Catalogue())
    assert refused.value.code == "invalid_name"
    assert refused.value.details["field"] == field


def test_a_blank_indicator_name_is_still_the_catalogues_own_refusal() -> None:
    bare = msgspec.structs.replace(COUNT, name_en=" ")
    with pytest.raises(InvalidInputError) as refused:
        catalogue.decide(catalogue.DefineIndicators([bare]), catalogue.Catalogue())
    assert refused.value.code == "invalid_indicator"


def test_a_retire_reason_is_cleaned_too() -> None:
    state = catalogue.DECIDER.fold(catalogue.decide(catalogue.DefineIndicators([COUNT]), catalogue.Catalogue()))
    with pytest.raises(InvalidInputError):
        catalogue.decide(catalogue.RetireIndicator(COUNT.code, "gone\x1b[31m"), state)
    [retired] = catalogue.decide(catalogue.RetireIndicator(COUNT.code, unicodedata.normalize("NFD", "bỏ")), state)
    assert isinstance(retired, IndicatorRetired)
    assert retired.reason == "bỏ"


def _report(source: str, comment: str | None) -> values.ReportValue:
    return values.ReportValue(BANK, UNIT, Period.parse("2022"), 50.0, source, comment, None, None, NOW)


@pytest.mark.parametrize(("source", "comment"), [("NHNN\u2066", None), ("NHNN", "số liệu\x00"), ("NH\u200bNN", "")])
def test_a_report_source_or_comment_with_a_hidden_character_is_refused(source: str, comment: str | None) -> None:
    with pytest.raises(InvalidInputError) as refused:
        values.decide_report(_report(source, comment), values.ReportedValue())
    assert refused.value.code == "invalid_text"


def test_a_report_is_stored_composed_and_a_multi_line_comment_keeps_its_lines() -> None:
    reported = values.decide_report(
        _report(unicodedata.normalize("NFD", "Ngân hàng"), "dòng 1\ndòng 2"), values.ReportedValue()
    )[0]
    assert isinstance(reported, IndicatorValueReported)
    assert (reported.source, reported.comment) == ("Ngân hàng", "dòng 1\ndòng 2")


def test_a_computed_indicators_fact_is_a_dotted_code_like_the_indicators_own() -> None:
    """Failed before the fix: any string was accepted as the fact, hidden characters included."""
    with pytest.raises(InvalidInputError) as refused:
        catalogue.decide(
            catalogue.DefineIndicators([msgspec.structs.replace(COUNT, fact="x.count\u202e")]), catalogue.Catalogue()
        )
    assert refused.value.code == "invalid_indicator"
