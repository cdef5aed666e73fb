"""Broadcast text (titles, alert messages, notes, reasons, topics, routes) is NFC and refuses
control, bidirectional and format characters.

Failed before the fix: broadcast only trimmed its text, so a decomposed title was stored as a
second spelling and a right-to-left override in an alert went to every station as sent.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Sequence

import pytest

from contracts.base import Event
from contracts.broadcast_events import ProgrammeRecorded, RelaySessionRecorded
from libs.common.errors import InvalidInputError
from libs.common.eventstore.decider import NewEvent
from services.broadcast.domain import common, deliveries, programmes, relays

T = datetime.datetime(2022, 3, 1, 5, tzinfo=datetime.UTC)
TITLE = "Chương trình thời sự huyện Cẩm Xuyên"


def _events(decided: Sequence[Event | NewEvent]) -> list[Event]:
    return [e.event if isinstance(e, NewEvent) else e for e in decided]


def test_a_decomposed_title_is_stored_composed() -> None:
    command = programmes.RecordProgramme(
        programme_id="p1",
        producer=programmes.ProducerUnit(unit_id="u", code="061", level="district"),
        title=unicodedata.normalize("NFD", TITLE),
        air_date=datetime.date(2022, 3, 1),
        duration_seconds=1800,
        news_items=0,
        articles=0,
    )
    [recorded] = programmes.PROGRAMME.decide(command, programmes.Programme())
    assert isinstance(recorded, ProgrammeRecorded)
    assert recorded.title == TITLE


@pytest.mark.parametrize("hidden", ["\u202e", "\u2067", "\u200d", "\x00", "\x1b[2J"])
def test_a_relay_note_with_a_hidden_character_is_refused(hidden: str) -> None:
    command = relays.RecordSession(
        session_id="r1", station_id="s1", unit_code="00001", source="VOV1", started_at=T,
        ended_at=T + datetime.timedelta(hours=1), note=f"tiếp sóng {hidden}VOV1",
    )  # fmt: skip
    with pytest.raises(InvalidInputError) as refused:
        relays.RELAY_SESSION.decide(command, relays.RelaySession())
    assert refused.value.code == "invalid_text"
    assert refused.value.details["field"] == "note"


def test_an_alert_message_keeps_its_lines() -> None:
    assert common.required_text("Bão số 3\nSơ tán ngay", field="message") == "Bão số 3\nSơ tán ngay"
    with pytest.raises(InvalidInputError):
        common.required_text("Bão số 3\u202e", field="message")


def test_a_relay_with_a_clean_note_is_recorded_as_given() -> None:
    command = relays.RecordSession(
        session_id="r1", station_id="s1", unit_code="00001", source="VOV1", started_at=T,
        ended_at=T + datetime.timedelta(hours=1), note=unicodedata.normalize("NFD", "tiếp sóng"),
    )  # fmt: skip
    [event] = _events(relays.RELAY_SESSION.decide(command, relays.RelaySession()))
    assert isinstance(event, RelaySessionRecorded)
    assert event.note == "tiếp sóng"


@pytest.mark.parametrize("content_hash", ["sha256:abc\u202e", "\x1b]0;owned\x07", "md5:" + "0" * 32])
def test_a_receipts_content_hash_must_be_a_sha256_as_the_programmes_audio_is(content_hash: str) -> None:
    """Failed before the fix: a station's receipt stored any string as its content hash."""
    sent = deliveries.SendDelivery(
        programme_id="p1", producer_unit_code="061", station_id="s1", station_unit_code="00001",
        station_in_area=True, sent_at=T, due_at=T + datetime.timedelta(hours=12),
    )  # fmt: skip
    d = deliveries.DELIVERY
    state = d.fold(_events(d.decide(sent, deliveries.Delivery())))
    receipt = deliveries.ReceiveDelivery(received_at=T + datetime.timedelta(hours=1), content_hash=content_hash)
    with pytest.raises(InvalidInputError) as refused:
        d.decide(receipt, state)
    assert refused.value.code == "invalid_content_hash"


def _programme(title: str) -> programmes.RecordProgramme:
    return programmes.RecordProgramme(
        programme_id="p1",
        producer=programmes.ProducerUnit(unit_id="u", code="061", level="district"),
        title=title,
        air_date=datetime.date(2022, 3, 1),
        duration_seconds=1800,
        news_items=0,
        articles=0,
    )


@pytest.mark.parametrize("line_break", ["\n", "\t"])
def test_a_title_is_one_line_as_a_registry_name_is(line_break: str) -> None:
    """Failed before the fix: titles went through the multi-line text rule, so a newline or a
    tab in a programme's title reached station displays; they are names (``clean_name``)."""
    with pytest.raises(InvalidInputError) as refused:
        programmes.PROGRAMME.decide(_programme(f"Thời sự{line_break}huyện"), programmes.Programme())
    assert refused.value.code == "invalid_name"
    assert refused.value.details["field"] == "title"


def test_a_title_is_single_spaced_and_a_blank_one_is_still_a_missing_field() -> None:
    [recorded] = programmes.PROGRAMME.decide(_programme("  Thời   sự  "), programmes.Programme())
    assert isinstance(recorded, ProgrammeRecorded)
    assert recorded.title == "Thời sự"
    with pytest.raises(InvalidInputError) as refused:
        programmes.PROGRAMME.decide(_programme("   "), programmes.Programme())
    assert refused.value.code == "missing_field"


def test_broadcast_text_too_long_has_the_shared_code() -> None:
    """Failed before the fix: broadcast had its own ``clean_text`` answering ``text_too_long``
    where every other service answers ``invalid_text`` (``libs.common.text``)."""
    with pytest.raises(InvalidInputError) as refused:
        common.required_text("x" * 501, field="reason")
    assert refused.value.code == "invalid_text"
