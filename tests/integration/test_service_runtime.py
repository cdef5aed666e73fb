"""A service process's runtime against the real database: what it leaves behind when stopped."""

import asyncio
import time

import msgspec

from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from tests.support.http_server import listening_socket
from tests.support.kafka_leaks import unclosed_kafka_clients


async def test_a_service_stopped_while_its_producer_connects_leaves_no_producer_open(settings: Settings) -> None:
    """A broker that accepts connections and never answers holds the producer in ``start()``:
    stopping the service then must still close it, or aiokafka reports it unclosed at exit.

    Only the clients of that broker count: the collection also finalizes what earlier tests of
    the worker left unreachable, which failed this test now and then on a leak not its own."""
    silent = listening_socket()  # the kernel accepts; nobody ever answers
    try:
        port = silent.getsockname()[1]
        with unclosed_kafka_clients(port) as unclosed:
            runtime = ServiceRuntime("test", msgspec.structs.replace(settings, kafka_bootstrap=f"127.0.0.1:{port}"))
            await runtime.start()
            await asyncio.sleep(0.5)
            assert runtime.producer is None, "the silent broker was taken for a working one"
            began = time.monotonic()
            await runtime.stop()
            assert time.monotonic() - began < 5
            del runtime
        assert unclosed == []
    finally:
        silent.close()
