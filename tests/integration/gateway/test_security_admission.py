"""Admission at the gateway's edge, on a real uvicorn server on loopback (raw sockets where the
test is about how bytes arrive): concurrency per caller, bodies that trickle in, credentials
checked before a body is read, and which client host an anonymous caller is charged to."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from libs.common.settings import Settings
from services.gateway.graphql.limits import Limits
from tests.integration.gateway.admission_support import Edge, StalledService, running_edge

PLATFORM_QUERY = {"query": "{ platform { version } }"}


def units_query(first: int) -> dict[str, str]:
    """A units query of its own: identical queries missing the response cache together run once
    (ADR 0048), and these tests count the queries that take a slot."""
    return {"query": f"{{ units(first: {first}) {{ totalCount }} }}"}


def _post_head(path: str, length: int, headers: dict[str, str] | None = None) -> str:
    lines = [f"POST {path} HTTP/1.1", "host: 127.0.0.1", "content-type: application/json", f"content-length: {length}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return "\r\n".join(lines) + "\r\n\r\n"


async def _status_line(reader: asyncio.StreamReader, within: float) -> str:
    line = await asyncio.wait_for(reader.readline(), within)
    return line.decode().strip()


async def test_a_partner_at_its_concurrency_cap_does_not_delay_another_partner(
    settings: Settings, stalled: tuple[StalledService, str]
) -> None:
    """Failed before the fix: one semaphore for the process, so VNPT's six stalled queries took
    all four slots and Viettel's query waited for them."""
    service, url = stalled
    async with running_edge(
        settings,
        Limits(max_concurrent_operations=4),
        registry_url=url,
        rate_limit_per_minute=0,
        gateway_max_concurrent_per_partner=2,
    ) as edge:
        hogs = [
            asyncio.create_task(edge.http.post("/graphql", json=units_query(n), headers=edge.auth("vnpt")))
            for n in range(1, 7)
        ]
        async with asyncio.timeout(10):
            while service.waiting < 2:
                service.arrived.clear()
                await service.arrived.wait()
        # The stalled service holds its callers until released, so an answer at all proves
        # Viettel's query did not queue behind VNPT's.
        other = await asyncio.wait_for(
            edge.http.post("/graphql", json=PLATFORM_QUERY, headers=edge.auth("viettel")), 15
        )
        assert other.status_code == 200, other.text
        await asyncio.sleep(0.3)
        assert service.waiting == 2  # VNPT's other four wait for its own slots, not the process's
        service.release.set()
        answers = await asyncio.gather(*hogs)
        assert {a.status_code for a in answers} == {200}


async def test_anonymous_callers_trickling_bodies_do_not_delay_a_partner(settings: Settings) -> None:
    """Forty anonymous connections each send half a body and stall; a partner's query is
    answered at once. Failed before the fix: the body was read inside the execution slot, so
    the stalled bodies held every slot of the process."""
    async with running_edge(settings, rate_limit_anonymous_burst=100, gateway_body_timeout_seconds=60) as edge:
        writers = []
        for _ in range(40):
            _, writer = await edge.raw(_post_head("/graphql", 200), b'{"query": "{ platform ')
            writers.append(writer)
        await asyncio.sleep(0.5)
        try:
            # Stalled bodies that held the slots would hold them until the 60 s body timeout;
            # the bound is far below that and far above a loaded machine's answer time.
            answer = await asyncio.wait_for(
                edge.http.post("/graphql", json=PLATFORM_QUERY, headers=edge.auth("vnpt")), 15
            )
            assert answer.status_code == 200, answer.text
        finally:
            for writer in writers:
                writer.close()


async def test_a_trickled_body_gets_408_after_the_body_timeout(settings: Settings) -> None:
    """Failed before the fix: no body timeout, the server waited for the rest of the body for ever."""
    async with running_edge(settings, gateway_body_timeout_seconds=1) as edge:
        for path in ("/graphql", "/api/v1/import"):
            started = time.monotonic()
            reader, writer = await edge.raw(_post_head(path, 500, edge.auth("vnpt")), b'{"query": ')
            try:
                assert await _status_line(reader, 15) == "HTTP/1.1 408 Request Timeout"
                assert time.monotonic() - started >= 0.9
                head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)).decode().lower()
                assert "connection: close" in head
            finally:
                writer.close()
        # A body that arrives in time is answered as usual.
        assert (await edge.http.post("/graphql", json=PLATFORM_QUERY, headers=edge.auth("vnpt"))).status_code == 200


async def test_an_import_without_credentials_is_refused_before_its_body_is_sent(settings: Settings) -> None:
    """A large body sent slowly without credentials is answered 401 while most of it is
    still unsent. Failed before the fix: the body was read to its end before the credentials
    were looked at."""
    async with running_edge(settings, gateway_body_timeout_seconds=30) as edge:
        for headers, expected in [({}, "401 Unauthorized"), ({"authorization": "Bearer tsk_nope"}, "401 Unauthorized")]:
            reader, writer = await edge.raw(_post_head("/api/v1/import", 1_000_000, headers), b"[" + b" " * 1000)
            try:
                assert await _status_line(reader, 3) == f"HTTP/1.1 {expected}"
            finally:
                writer.close()


async def test_a_rate_limited_import_is_refused_before_its_body_is_sent(settings: Settings) -> None:
    """Failed before the fix: the 429 waited for the whole body too."""
    limited: dict[str, Any] = {"rate_limit_per_minute": 1, "rate_limit_burst": 1}
    async with running_edge(settings, gateway_body_timeout_seconds=30, **limited) as edge:
        assert (await edge.http.post("/graphql", json=PLATFORM_QUERY, headers=edge.auth("vnpt"))).status_code == 200
        reader, writer = await edge.raw(_post_head("/api/v1/import", 1_000_000, edge.auth("vnpt")), b"[" + b" " * 1000)
        try:
            assert await _status_line(reader, 3) == "HTTP/1.1 429 Too Many Requests"
        finally:
            writer.close()


async def _anonymous_statuses(edge: Edge, forwarded: list[str]) -> list[int]:
    return [
        (await edge.http.post("/graphql", json=PLATFORM_QUERY, headers={"x-forwarded-for": f})).status_code
        for f in forwarded
    ]


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(settings: Settings) -> None:
    """Failed before the fix: uvicorn believed X-Forwarded-For from loopback, so an anonymous
    caller got a fresh bucket for every address it made up."""
    async with running_edge(settings, rate_limit_anonymous_per_minute=1, rate_limit_anonymous_burst=2) as edge:
        assert await _anonymous_statuses(edge, ["203.0.113.1", "203.0.113.2", "203.0.113.3"]) == [200, 200, 429]
        buckets = await edge.pool.fetch("SELECT bucket FROM gateway.rate_limit_buckets ORDER BY bucket")
        assert [b["bucket"] for b in buckets] == ["host:127.0.0.1"]


async def test_a_trusted_proxys_forwarded_for_names_the_right_most_untrusted_address(settings: Settings) -> None:
    """With loopback and 10.0.0.0/8 trusted, ``X-Forwarded-For: <spoof>, <client>, <inner
    proxy>`` is charged to <client>: what the client wrote to the left of it is not believed."""
    async with running_edge(
        settings,
        rate_limit_anonymous_per_minute=1,
        rate_limit_anonymous_burst=2,
        trusted_proxies="127.0.0.1, 10.0.0.0/8",
    ) as edge:
        chain = ["1.1.1.1, 198.51.100.7, 10.1.2.3", "2.2.2.2, 198.51.100.7, 10.9.9.9", "198.51.100.7"]
        assert await _anonymous_statuses(edge, chain) == [200, 200, 429]
        assert await _anonymous_statuses(edge, ["198.51.100.8"]) == [200]
        buckets = await edge.pool.fetch("SELECT bucket FROM gateway.rate_limit_buckets ORDER BY bucket")
        assert [b["bucket"] for b in buckets] == ["host:198.51.100.7", "host:198.51.100.8"]
