"""The gateway's internal HTTP client, three ways: what one call costs the calling process.

    .venv/bin/python bench/internal_client.py            # about 20 seconds

A server process (uvicorn, uvloop, httptools: as the services run) answers every request
with a small JSON list. The bench process sends the same ``GET`` with a query string and
headers, 20 calls in flight, through:

- httpx as it comes (httpcore's connection pool);
- httpx over aiohttp's connections (``httpx_aiohttp.AiohttpTransport``, the gateway's choice:
  ADR 0062);
- aiohttp alone, the raw baseline.

For each it reports the calling process's CPU per call (``time.process_time``) and calls per
second, two rounds each, alternating. The table goes to stdout and, as its last line, one
JSON object; progress goes to stderr.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import httpx
import uvloop
from httpx_aiohttp import AiohttpTransport

from bench._common import Report, Row, ratio, rounded, say
from libs.common.embedded.process import free_port, wait_for_port

CALLS = 4000
IN_FLIGHT = 20
ROUNDS = 2
SERVER = """
import uvicorn

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b'[{"unit_id":"u1","code":"06100","name":"Xa"}]'})

uvicorn.run(app, host="127.0.0.1", port=PORT, loop="uvloop", http="httptools", log_level="warning")
"""
HEADERS = {"authorization": "Bearer principal", "traceparent": "00-" + "1" * 32 + "-" + "2" * 16 + "-01"}
PARAMS = {"ids": "u1,u2,u3"}


async def measure(call: Callable[[], Awaitable[None]]) -> tuple[float, float]:
    """(µs of this process's CPU per call, calls/s) with ``IN_FLIGHT`` callers."""

    async def caller() -> None:
        for _ in range(CALLS // IN_FLIGHT):
            await call()

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(IN_FLIGHT)))
    return (time.process_time() - cpu) / CALLS * 1e6, CALLS / (time.perf_counter() - wall)


async def main(url: str) -> Report:
    figures: dict[str, list[tuple[float, float]]] = {"httpx": [], "httpx_aiohttp": [], "aiohttp": []}
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=100, keepalive_expiry=2.0)
    for round_ in range(ROUNDS):
        say(f"round {round_ + 1} of {ROUNDS}")
        async with httpx.AsyncClient(limits=limits) as plain:

            async def through_httpx() -> None:
                (await plain.get(url, params=PARAMS, headers=HEADERS)).raise_for_status()

            figures["httpx"].append(await measure(through_httpx))
        async with httpx.AsyncClient(transport=AiohttpTransport(limits=limits)) as over_aiohttp:

            async def through_transport() -> None:
                (await over_aiohttp.get(url, params=PARAMS, headers=HEADERS)).raise_for_status()

            figures["httpx_aiohttp"].append(await measure(through_transport))
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=2.0)) as session:

            async def through_aiohttp() -> None:
                async with session.get(url, params=PARAMS, headers=HEADERS) as response:
                    response.raise_for_status()
                    await response.read()

            figures["aiohttp"].append(await measure(through_aiohttp))
    best = {name: (min(r[0] for r in runs), max(r[1] for r in runs)) for name, runs in figures.items()}
    report = Report()
    raw_cpu, raw_rate = best["aiohttp"]
    for name, label in (("httpx", "httpx (httpcore pool)"), ("httpx_aiohttp", "httpx over aiohttp")):
        cpu, rate = best[name]
        report.add(Row(f"{label}: CPU per call", cpu, "µs", "aiohttp alone", raw_cpu, ratio(cpu, raw_cpu)))
        report.add(Row(f"{label}: calls/s", rate, "calls/s", "aiohttp alone", raw_rate, ratio(rate, raw_rate)))
        report.put(**{f"{name}_cpu_us_per_call": cpu, f"{name}_calls_per_s": rate})
    report.put(aiohttp_cpu_us_per_call=best["aiohttp"][0], aiohttp_calls_per_s=best["aiohttp"][1], in_flight=IN_FLIGHT)
    report.notes.append(f"best of {ROUNDS} rounds of {CALLS} calls each; the server runs in its own process")
    return report


def cli() -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", SERVER.replace("PORT", str(port))])
    try:
        wait_for_port("127.0.0.1", port, 30.0, server)
        report = uvloop.run(main(f"http://127.0.0.1:{port}/units"))
    finally:
        server.terminate()
        server.wait()
    print(report.render())
    print(json.dumps({k: rounded(v) for k, v in report.figures.items()}))


if __name__ == "__main__":
    cli()
