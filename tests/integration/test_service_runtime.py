"""A service process's runtime against the real database: what it leaves behind when stopped."""

import asyncio
import gc
import time
import warnings

import msgspec

from libs.common.runtime import ServiceRuntime
from libs.common.settings import Settings
from tests.support.http_server import listening_socket


async def test_a_service_stopped_while_its_producer_connects_leaves_no_producer_open(settings: Settings) -> None:
    """A broker that accepts connections and never answers holds the producer in ``start()``:
    stopping the service then must still close it, or aiokafka reports it unclosed at exit."""
    silent = listening_socket()  # the kernel accepts; nobody ever answers
    try:
        port = silent.getsockname()[1]
        runtime = ServiceRuntime("test", msgspec.structs.replace(settings, kafka_bootstrap=f"127.0.0.1:{port}"))
        await runtime.start()
        await asyncio.sleep(0.5)
        assert runtime.producer is None, "the silent broker was taken for a working one"
        began = time.monotonic()
        await runtime.stop()
        assert time.monotonic() - began < 5
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            del runtime
            gc.collect()
        unclosed = [str(w.message) for w in caught if "Unclosed" in str(w.message)]
        assert unclosed == []
    finally:
        silent.close()
