"""Which Kafka clients of one broker a block of a test left open.

aiokafka warns when it finalizes a producer or a connection that was never closed, and a
collection finalizes every unreachable object of the process: also what earlier tests left
behind, on whatever broker they used. A test of a stop counts only the clients of the broker it
made, so another test's leak is not blamed on the code under test (it is still reported, as
the warning it always was).
"""

from __future__ import annotations

import contextlib
import gc
import warnings
from collections.abc import Iterator

from aiokafka import AIOKafkaProducer
from aiokafka.conn import AIOKafkaConnection


@contextlib.contextmanager
def unclosed_kafka_clients(port: int) -> Iterator[list[str]]:
    """Yields a list that holds, once the block has ended, the warnings of the producers and
    connections of ``port`` the block left unclosed (found by a collection at its end)."""
    gc.collect()  # what earlier tests left unreachable is finalized now, outside the count
    found: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield found
        gc.collect()
    for warning in caught:
        if _of(warning.source, port):
            found.append(str(warning.message))
        else:  # someone else's leak: reported as it would have been without this block
            warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)


def _of(client: object, port: int) -> bool:
    if isinstance(client, AIOKafkaConnection):
        return bool(client.port == port)
    if isinstance(client, AIOKafkaProducer):
        return any(client_port == port for _, client_port, _ in client.client.hosts)
    return False
