"""Content approval and priority of programmes: draft -> submitted -> approved | rejected ->
distributed, each step with who and when; only approved content is distributed; a delivery
carries its programme's priority; programmes recorded before approval existed stand approved."""

from __future__ import annotations

import datetime

import msgspec
import pytest

from contracts.base import Event
from contracts.broadcast_events import (
    ProgrammeApproved,
    ProgrammeDeliveryAired,
    ProgrammeDeliveryReceived,
    ProgrammeDeliverySent,
    ProgrammeDistributed,
    ProgrammeItem,
    ProgrammeRecorded,
    ProgrammeRejected,
    ProgrammeSubmitted,
)
from libs.common.errors import ConflictError, InvalidInputError, NotFoundError
from services.broadcast.domain import deliveries, programmes
from services.broadcast.domain.approval import Approve, Distribute, Reject, Submit
from tests.unit.broadcast.test_relays_and_programmes_domain import events, programme

T = datetime.datetime(2022, 3, 1, 5, tzinfo=datetime.UTC)
PROGRAMME = programmes.PROGRAMME


def fold(history: list[Event]) -> programmes.Programme:
    return PROGRAMME.fold(history)


def step(history: list[Event], command: programmes.ProgrammeCommand) -> list[Event]:
    return [*history, *events(PROGRAMME.decide(command, fold(history)))]


def test_a_draft_is_submitted_approved_and_distributed_with_who_and_when() -> None:
    draft = events(PROGRAMME.decide(programme(priority="emergency"), programmes.Programme()))
    assert fold(draft).approval == "draft"
    submitted = step(draft, Submit(at=T, by="centre-staff", note="bản tin bão"))
    approved = step(submitted, Approve(at=T, by="centre-head"))
    distributed = step(approved, Distribute(at=T, by="centre-staff"))

    assert [type(e) for e in distributed] == [
        ProgrammeRecorded, ProgrammeSubmitted, ProgrammeApproved, ProgrammeDistributed,
    ]  # fmt: skip
    assert [fold(h).approval for h in (submitted, approved, distributed)] == ["submitted", "approved", "distributed"]
    submit, approve, distribute = distributed[1:]
    assert isinstance(submit, ProgrammeSubmitted)
    assert (submit.submitted_by, submit.note) == (
        "centre-staff",
        "bản tin bão",
    )
    assert isinstance(approve, ProgrammeApproved)
    assert (approve.approved_by, approve.approved_at) == ("centre-head", T)
    assert isinstance(distribute, ProgrammeDistributed)
    assert distribute.priority == "emergency"
    assert events(PROGRAMME.decide(Distribute(at=T, by="x"), fold(distributed))) == []  # sent again: nothing new


def test_an_approver_recording_approves_in_the_same_command() -> None:
    recorded = events(PROGRAMME.decide(programme(approved=Approve(at=T, by="head")), programmes.Programme()))

    assert [type(e) for e in recorded] == [ProgrammeRecorded, ProgrammeSubmitted, ProgrammeApproved]
    assert fold(recorded).approval == "approved"


@pytest.mark.parametrize(
    ("steps", "command", "code"),
    [
        ([], Approve(at=T, by="head"), "not_submitted"),
        ([], Reject(at=T, by="head", reason="sai"), "not_submitted"),
        ([], Distribute(at=T, by="staff"), "programme_not_approved"),
        ([Submit(at=T, by="s")], Distribute(at=T, by="staff"), "programme_not_approved"),
        ([Submit(at=T, by="s")], Submit(at=T, by="s"), "already_submitted"),
        ([Submit(at=T, by="s"), Approve(at=T, by="h")], Approve(at=T, by="h"), "already_decided"),
        ([Submit(at=T, by="s"), Approve(at=T, by="h")], Reject(at=T, by="h", reason="x"), "already_decided"),
        ([Submit(at=T, by="s"), Approve(at=T, by="h")], Submit(at=T, by="s"), "already_decided"),
        ([Submit(at=T, by="s"), Reject(at=T, by="h", reason="x")], Approve(at=T, by="h"), "already_decided"),
        ([Submit(at=T, by="s"), Reject(at=T, by="h", reason="x")], Distribute(at=T, by="s"), "programme_rejected"),
    ],
)
def test_a_step_out_of_turn_is_refused_with_a_code(
    steps: list[programmes.ProgrammeCommand], command: programmes.ProgrammeCommand, code: str
) -> None:
    history = events(PROGRAMME.decide(programme(), programmes.Programme()))
    for s in steps:
        history = step(history, s)
    with pytest.raises(ConflictError) as refused:
        PROGRAMME.decide(command, fold(history))
    assert refused.value.code == code


def test_a_rejection_needs_a_reason_and_the_corrected_content_is_submitted_again() -> None:
    history = step(events(PROGRAMME.decide(programme(), programmes.Programme())), Submit(at=T, by="s"))
    with pytest.raises(InvalidInputError) as no_reason:
        PROGRAMME.decide(Reject(at=T, by="h", reason="  "), fold(history))
    assert no_reason.value.code == "missing_field"
    rejected = step(history, Reject(at=T, by="h", reason="sai số liệu"))
    assert isinstance(rejected[-1], ProgrammeRejected)
    assert rejected[-1].reason == "sai số liệu"
    corrected = step(rejected, programmes.CorrectProgramme(reason="sửa số liệu", title="Bản tin đã sửa"))
    again = step(corrected, Submit(at=T, by="s"))
    assert fold(again).approval == "submitted"


def test_an_unknown_programme_takes_no_step() -> None:
    with pytest.raises(NotFoundError) as unknown:
        PROGRAMME.decide(Submit(at=T, by="s"), programmes.Programme())
    assert unknown.value.code == "unknown_programme"


def test_a_programme_recorded_before_approval_existed_stands_approved_and_normal() -> None:
    stored = msgspec.json.encode(
        {"type": "broadcast.programme_recorded", "programme_id": "p0", "unit_code": "061", "unit_id": "u",
         "title": "2022", "air_date": "2022-01-01", "duration_seconds": 60, "news_items": 1, "articles": 0,
         "items": [{"kind": "news", "title": "Tin"}]}
    )  # fmt: skip
    old = msgspec.json.decode(stored, type=ProgrammeRecorded)
    state = fold([old])
    assert (state.approval, state.priority, state.items[0].priority) == ("approved", "normal", "normal")
    assert [type(e) for e in events(PROGRAMME.decide(Distribute(at=T, by="s"), state))] == [ProgrammeDistributed]


def test_priorities_are_kept_on_items_and_corrected_on_the_programme() -> None:
    items = [ProgrammeItem(kind="news", title="Bão", priority="emergency"), ProgrammeItem(kind="article", title="B")]
    history = events(PROGRAMME.decide(programme(items=items, priority="priority"), programmes.Programme()))
    assert [i.priority for i in fold(history).items] == ["emergency", "normal"]
    corrected = step(history, programmes.CorrectProgramme(reason="khẩn", priority="emergency"))
    assert fold(corrected).priority == "emergency"


def test_every_delivery_event_carries_the_priority_it_was_sent_with() -> None:
    send = deliveries.SendDelivery(
        programme_id="p1", producer_unit_code="061", station_id="s1", station_unit_code="00001",
        station_in_area=True, sent_at=T, due_at=T + datetime.timedelta(hours=1), priority="emergency",
    )  # fmt: skip
    decide, fold_delivery = deliveries.DELIVERY.decide, deliveries.DELIVERY.fold
    history = events(decide(send, deliveries.Delivery()))
    history += events(decide(deliveries.ReceiveDelivery(received_at=T), fold_delivery(history)))
    history += events(decide(deliveries.AirDelivery(aired_at=T), fold_delivery(history)))

    assert [type(e) for e in history] == [ProgrammeDeliverySent, ProgrammeDeliveryReceived, ProgrammeDeliveryAired]
    assert {getattr(e, "priority", None) for e in history} == {"emergency"}
