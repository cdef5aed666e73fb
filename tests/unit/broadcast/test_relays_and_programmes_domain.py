"""Rules of relay sessions, programmes, deliveries, alerts and outreach that need no database."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

import pytest

from contracts.base import Event
from contracts.broadcast_events import ProgrammeCorrected, ProgrammeItem, RelaySessionCancelled
from libs.common.errors import ConflictError, DomainError, InvalidInputError, NotFoundError
from libs.common.eventstore.decider import NewEvent
from services.broadcast.domain import alerts, deliveries, programmes, relays
from services.broadcast.domain.outreach import OUTREACH, Outreach, RecordSession

UTC = datetime.UTC


def events(decided: Sequence[Event | NewEvent]) -> list[Event]:
    """What a decider returned, as plain events (these deciders never set occurred_at)."""
    return [e.event if isinstance(e, NewEvent) else e for e in decided]


T = datetime.datetime(2022, 3, 1, 5, tzinfo=UTC)


def record(start: datetime.datetime, end: datetime.datetime) -> relays.RecordSession:
    return relays.RecordSession(
        session_id="r1", station_id="s1", unit_code="00001", source="VOV1", started_at=start, ended_at=end
    )


@pytest.mark.parametrize(
    ("end", "code"),
    [(T, "session_ends_before_start"), (T + datetime.timedelta(hours=24, seconds=1), "session_too_long")],
)
def test_a_session_must_end_after_it_starts_and_last_at_most_a_day(end: datetime.datetime, code: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        relays.RELAY_SESSION.decide(record(T, end), relays.RelaySession())
    assert refused.value.code == code


def test_a_whole_day_session_is_fine_and_cancelling_twice_changes_nothing() -> None:
    history = events(relays.RELAY_SESSION.decide(record(T, T + datetime.timedelta(hours=24)), relays.RelaySession()))
    state = relays.RELAY_SESSION.fold(history)
    [cancelled] = events(relays.RELAY_SESSION.decide(relays.CancelSession(reason="wrong"), state))
    assert isinstance(cancelled, RelaySessionCancelled)
    assert (
        relays.RELAY_SESSION.decide(
            relays.CancelSession(reason="again"), relays.RELAY_SESSION.fold([*history, cancelled])
        )
        == []
    )


def programme(**changes: object) -> programmes.RecordProgramme:
    base = programmes.RecordProgramme(
        programme_id="p1",
        producer=programmes.ProducerUnit(unit_id="u", code="061", level="district"),
        title="Chương trình",
        air_date=datetime.date(2022, 3, 1),
        duration_seconds=1800,
        news_items=1,
        articles=1,
        items=[ProgrammeItem(kind="news", title="Tin"), ProgrammeItem(kind="article", title="Bài")],
    )
    return programmes.RecordProgramme(**{**{f: getattr(base, f) for f in base.__struct_fields__}, **changes})


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"news_items": 2}, "item_counts_mismatch"),
        ({"duration_seconds": 0}, "invalid_duration"),
        ({"segments": ["A", "A"]}, "duplicate_segment"),
        ({"title": "  "}, "missing_field"),
        ({"producer": programmes.ProducerUnit(unit_id="u", code="00001", level="commune")}, "invalid_producer_unit"),
    ],
)
def test_bad_programmes_are_refused_with_a_code(changes: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        programmes.PROGRAMME.decide(programme(**changes), programmes.Programme())
    assert refused.value.code == code


def test_a_correction_changes_only_what_it_names() -> None:
    recorded = events(programmes.PROGRAMME.decide(programme(), programmes.Programme()))
    state = programmes.PROGRAMME.fold(recorded)
    [correction] = events(programmes.PROGRAMME.decide(programmes.CorrectProgramme(reason="typo", title="Mới"), state))
    assert isinstance(correction, ProgrammeCorrected)
    corrected = programmes.PROGRAMME.fold([*recorded, correction])
    assert (corrected.title, corrected.duration_seconds, corrected.news_items) == ("Mới", 1800, 1)


def send(in_area: bool = True) -> deliveries.SendDelivery:
    return deliveries.SendDelivery(
        programme_id="p1", producer_unit_code="061", station_id="s1", station_unit_code="00001",
        station_in_area=in_area, sent_at=T, due_at=T + datetime.timedelta(hours=12),
    )  # fmt: skip


def test_a_delivery_goes_sent_received_aired_and_never_back_in_time() -> None:
    d = deliveries.DELIVERY
    history = events(d.decide(send(), deliveries.Delivery()))
    with pytest.raises(ConflictError):
        d.decide(deliveries.AirDelivery(aired_at=T), d.fold(history))
    with pytest.raises(InvalidInputError) as backwards:
        d.decide(deliveries.ReceiveDelivery(received_at=T - datetime.timedelta(minutes=1)), d.fold(history))
    assert backwards.value.code == "delivery_out_of_order"
    history += events(
        d.decide(deliveries.ReceiveDelivery(received_at=T + datetime.timedelta(hours=1)), d.fold(history))
    )
    history += events(d.decide(deliveries.AirDelivery(aired_at=T + datetime.timedelta(hours=2)), d.fold(history)))
    assert d.fold(history).status == "aired"
    assert d.decide(send(), d.fold(history)) == []  # sending again changes nothing


def test_a_delivery_outside_the_area_or_unknown_is_refused() -> None:
    with pytest.raises(InvalidInputError) as outside:
        deliveries.DELIVERY.decide(send(in_area=False), deliveries.Delivery())
    assert outside.value.code == "station_outside_programme_area"
    with pytest.raises(NotFoundError):
        deliveries.DELIVERY.decide(deliveries.FailDelivery(failed_at=T, reason="x"), deliveries.Delivery())


def issue(expires_in: datetime.timedelta, stations: int = 2) -> alerts.IssueAlert:
    return alerts.IssueAlert(
        alert_id="a1", area_unit_id="u", area_unit_code="061", category="disaster", priority="high",
        title="Lũ", message="Sơ tán", issued_at=T, expires_at=T + expires_in,
        stations=[alerts.AlertStation(f"s{n}", "00001") for n in range(stations)],
    )  # fmt: skip


def test_an_alert_fans_out_to_every_station_and_each_acknowledges_once() -> None:
    issued = events(alerts.ALERT.decide(issue(datetime.timedelta(hours=1)), alerts.Alert()))
    assert [type(e).__name__ for e in issued] == [
        "EmergencyAlertIssued", "EmergencyAlertDispatched", "EmergencyAlertDispatched",
    ]  # fmt: skip
    alert = alerts.ALERT.fold(issued)
    ack = alerts.Acknowledge(alert=alert, station_id="s1", acknowledged_at=T + datetime.timedelta(minutes=3))
    acked = events(alerts.ALERT_ACK.decide(ack, alerts.Acknowledgement()))
    assert len(acked) == 1
    assert alerts.ALERT_ACK.decide(ack, alerts.ALERT_ACK.fold(acked)) == []
    with pytest.raises(NotFoundError):
        alerts.ALERT_ACK.decide(
            alerts.Acknowledge(alert=alert, station_id="elsewhere", acknowledged_at=T), alerts.Acknowledgement()
        )


@pytest.mark.parametrize(
    ("expires_in", "stations", "code"),
    [(datetime.timedelta(0), 2, "alert_expired"), (datetime.timedelta(hours=1), 0, "no_stations_in_area")],
)
def test_an_expired_alert_or_one_with_no_station_is_refused(
    expires_in: datetime.timedelta, stations: int, code: str
) -> None:
    with pytest.raises(DomainError) as refused:
        alerts.ALERT.decide(issue(expires_in, stations), alerts.Alert())
    assert refused.value.code == code


def test_outreach_in_the_future_is_refused() -> None:
    today = datetime.date(2022, 3, 1)
    command = RecordSession(outreach_id="o", unit_code="061", held_on=today + datetime.timedelta(days=1), today=today)
    with pytest.raises(InvalidInputError):
        OUTREACH.decide(command, Outreach())
