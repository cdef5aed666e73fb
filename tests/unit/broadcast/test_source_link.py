"""The link to the source-information system on its own (ADR 0054): a bulletin's stream records
it once and refuses its id reused with another body; delivery events map to the steps the sender
reads; the webhook's signature is HMAC-SHA256 and its retries back off; the published JSON
Schema is the one the Struct gives."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import random
from typing import Any

import msgspec
import pytest

from contracts import source_link_schema
from contracts.api.source_link import ReceiveBulletinBody, SourceResult
from contracts.broadcast_events import (
    ProgrammeDeliveryAired,
    ProgrammeDeliveryFailed,
    ProgrammeDeliveryReceived,
    ProgrammeDeliverySent,
    ProgrammeRecorded,
    SourceBulletinReceived,
)
from libs.common.errors import ConflictError, InvalidInputError
from services.broadcast.adapters.source_results import step
from services.broadcast.domain.source_bulletins import (
    SOURCE_BULLETIN,
    ReceiveBulletin,
    SourceBulletin,
    body_hash,
    programme_id_of,
)
from services.broadcast.domain.source_link import retry_delay, sign, verify

AT = datetime.datetime(2026, 12, 7, 1, 0, tzinfo=datetime.UTC)
BODY = ReceiveBulletinBody(
    bulletin_id="BT-1",
    unit_code="061",
    title="Bản tin",
    air_date=datetime.date(2026, 12, 8),
    duration_seconds=300,
    news_items=1,
    articles=0,
    priority="emergency",
)


def receive(body: ReceiveBulletinBody = BODY, sender: str = "HTTTN-TINH") -> ReceiveBulletin:
    return ReceiveBulletin(
        sender=sender,
        bulletin_id=body.bulletin_id,
        programme_id=programme_id_of(sender, body.bulletin_id),
        unit_code=body.unit_code,
        priority=body.priority,
        body_hash=body_hash(body),
        received_at=AT,
        issued_at=body.issued_at,
    )


def received() -> SourceBulletin:
    """The bulletin's state once ``BODY`` was received."""
    [event] = SOURCE_BULLETIN.decide(receive(), SourceBulletin())
    assert isinstance(event, SourceBulletinReceived)
    return SOURCE_BULLETIN.fold([event])


def test_a_new_bulletin_is_recorded_with_its_priority_and_programme() -> None:
    [event] = SOURCE_BULLETIN.decide(receive(), SourceBulletin())
    assert isinstance(event, SourceBulletinReceived)
    assert (event.priority, event.programme_id) == ("emergency", programme_id_of("HTTTN-TINH", "BT-1"))


def test_the_same_bulletin_again_records_nothing() -> None:
    state = received()
    same_fields_in_another_order = msgspec.json.decode(
        b'{"priority":"emergency","articles":0,"news_items":1,"duration_seconds":300,'
        b'"air_date":"2026-12-08","title":"B\\u1ea3n tin","unit_code":"061","bulletin_id":"BT-1"}',
        type=ReceiveBulletinBody,
    )
    assert SOURCE_BULLETIN.decide(receive(same_fields_in_another_order), state) == []


@pytest.mark.parametrize(
    "change", [{"title": "Bản tin khác"}, {"priority": "normal"}, {"duration_seconds": 301}, {"segments": ["An ninh"]}]
)
def test_the_same_id_with_another_body_is_refused(change: dict[str, object]) -> None:
    state = received()
    with pytest.raises(ConflictError) as refused:
        SOURCE_BULLETIN.decide(receive(msgspec.structs.replace(BODY, **change)), state)
    assert refused.value.code == "bulletin_id_reused"


def test_each_sender_has_its_own_bulletin_ids() -> None:
    assert programme_id_of("HTTTN-TINH", "BT-1") != programme_id_of("HTTTN-TW", "BT-1")
    assert programme_id_of("HTTTN-TINH", "BT-1") == programme_id_of("HTTTN-TINH", "BT-1")


def test_a_naive_issue_time_is_refused() -> None:
    naive = msgspec.structs.replace(BODY, issued_at=datetime.datetime(2026, 12, 7, 8, 0))
    with pytest.raises(InvalidInputError) as refused:
        SOURCE_BULLETIN.decide(receive(naive), SourceBulletin())
    assert refused.value.code == "naive_datetime"


def test_each_delivery_event_is_the_step_the_sender_reads() -> None:
    where: dict[str, Any] = {"programme_id": "p", "station_id": "s", "unit_code": "00001"}
    later = AT + datetime.timedelta(hours=1)
    steps = [
        step(ProgrammeDeliverySent(**where, producer_unit_code="061", sent_at=AT, due_at=later)),
        step(ProgrammeDeliveryReceived(**where, received_at=AT)),
        step(ProgrammeDeliveryAired(**where, aired_at=later)),
        step(ProgrammeDeliveryFailed(**where, failed_at=later, reason="mất điện")),
    ]
    assert [(s.status, s.at, s.reason) for s in steps if s is not None] == [
        ("delivered", AT, None),
        ("received", AT, None),
        ("aired", later, None),
        ("failed", later, "mất điện"),
    ]
    assert {(s.programme_id, s.station_id, s.unit_code) for s in steps if s is not None} == {("p", "s", "00001")}
    recorded = ProgrammeRecorded(
        programme_id="p", unit_code="061", unit_id="u", title="t", air_date=AT.date(),
        duration_seconds=1, news_items=0, articles=0,
    )  # fmt: skip
    assert step(recorded) is None


def test_the_signature_is_hmac_sha256_of_the_body() -> None:
    # RFC 4231, test case 2: a published answer, not one computed by the code under test.
    assert sign(b"Jefe", b"what do ya want for nothing?") == (
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    body = msgspec.json.encode(
        SourceResult(
            delivery_id="d", sequence=1, sender="s", bulletin_id="b", programme_id="p", station_id="st",
            unit_code="00001", status="aired", at=AT,
        )
    )  # fmt: skip
    header = sign(b"secret", body)
    assert header == "sha256=" + hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert verify(b"secret", body, header)
    assert not verify(b"another secret", body, header)
    assert not verify(b"secret", body + b" ", header)


def test_retries_back_off_doubling_up_to_the_cap() -> None:
    rng = random.Random(7)
    for attempts, ceiling in [(1, 10.0), (2, 20.0), (3, 40.0), (8, 300.0), (50, 300.0)]:
        pauses = [retry_delay(attempts, 10.0, 300.0, rng) for _ in range(200)]
        assert ceiling / 2 <= min(pauses) <= max(pauses) <= ceiling
        assert max(pauses) - min(pauses) > ceiling / 4  # spread, not one moment


def test_the_published_json_schema_is_current() -> None:
    assert source_link_schema.main(["--check"]) == 0
    schema = msgspec.json.decode(source_link_schema.PATH.read_bytes())
    assert set(schema["$defs"]["SourceResult"]["required"]) == {
        f for f in SourceResult.__struct_fields__ if f != "reason"
    }


def test_an_issue_time_that_leaves_the_calendar_in_utc_is_refused_not_a_500() -> None:
    """Failed before the fix with an OverflowError (a 500): 0001-01-01T00:00+05:00 is before
    year 1 in UTC, which Python's datetime cannot hold (found by the gateway's fuzz test)."""
    too_early = datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=5)))
    with pytest.raises(InvalidInputError) as refused:
        SOURCE_BULLETIN.decide(receive(msgspec.structs.replace(BODY, issued_at=too_early)), SourceBulletin())
    assert refused.value.code == "invalid_datetime"
