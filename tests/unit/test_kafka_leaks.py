"""The check a test of a stop uses to find Kafka clients left open blames only its own broker's."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from libs.common.kafka import make_producer
from libs.common.settings import load_settings
from tests.support.kafka_leaks import unclosed_kafka_clients

OURS, THEIRS = 19_092, 29_092


@pytest.fixture
def no_automatic_collection() -> Iterator[None]:
    """Garbage stays until a collection is asked for, as it may between two tests of a run."""
    gc.disable()
    yield
    gc.enable()


def _leak_a_producer(port: int) -> None:
    """A producer of ``127.0.0.1:port`` dropped unclosed in a reference cycle: garbage until collected."""
    producer = make_producer(load_settings({"TINHSO_KAFKA_BOOTSTRAP": f"127.0.0.1:{port}"}), client_id="leaked")
    producer.cycle = producer


async def test_what_an_earlier_test_left_unclosed_on_another_broker_is_not_counted(
    no_automatic_collection: None,
) -> None:
    """Failed before the fix: the check counted every unclosed client the collection finalized,
    so `test_a_service_stopped_while_its_producer_connects_leaves_no_producer_open` failed on a
    leak of whichever test ran before it on the same worker."""
    _leak_a_producer(THEIRS)
    with pytest.warns(ResourceWarning, match="Unclosed AIOKafkaProducer"), unclosed_kafka_clients(OURS) as unclosed:
        _leak_a_producer(THEIRS)  # one that another task leaks meanwhile is not counted either
    assert unclosed == []


async def test_a_client_of_its_own_broker_left_unclosed_is_counted(no_automatic_collection: None) -> None:
    with unclosed_kafka_clients(OURS) as unclosed:
        _leak_a_producer(OURS)
    assert len(unclosed) == 1
    assert "Unclosed AIOKafkaProducer" in unclosed[0]
