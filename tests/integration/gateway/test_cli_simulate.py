"""``tinhso simulate`` against a real gateway: what it sends lands as the broadcast service's
events, and Ctrl-C (SIGINT) stops it with a summary, not a traceback."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import asyncpg

from libs.common.settings import Settings
from tests.integration.gateway.api_fixtures import build_province
from tests.integration.gateway.api_platform import Platform, platform

__all__ = ["platform"]

WANTED = {
    "broadcast.cluster_signal_lost",
    "broadcast.cluster_signal_restored",
    "broadcast.relay_session_recorded",
    "broadcast.emergency_alert_issued",
    "broadcast.emergency_alert_acknowledged",
}


async def _event_types(settings: Settings) -> dict[str, int]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        rows = await conn.fetch("SELECT type, count(*) AS n FROM broadcast.events GROUP BY type")
    finally:
        await conn.close()
    return {row["type"]: row["n"] for row in rows}


async def test_simulate_drives_the_province_through_the_gateway_and_stops_cleanly_on_sigint(
    platform: Platform, settings: Settings
) -> None:
    province = await build_province(platform, communes=2, villages=2)
    before = await _event_types(settings)
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TINHSO_", "OTEL_"))}
    # At 20,000 times real time a province day passes in 4.3 s: every relay slot comes within
    # seconds, a cluster fails every few seconds, and outages last milliseconds to seconds.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.cli.main",
        "simulate",
        "--gateway",
        platform.url,
        "--key",
        platform.keys["admin"],
        "--rate",
        "20000",
        "--heartbeat-interval",
        "1",
        "--acknowledge-within",
        "3",
        "--seed",
        "20",
        "--progress-every",
        "1",
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:

        async def landed() -> bool:
            now = await _event_types(settings)
            return all(now.get(t, 0) > before.get(t, 0) for t in WANTED)

        try:
            await platform.eventually(landed, timeout=90)
        except TimeoutError:
            pass
        finally:
            process.send_signal(signal.SIGINT)
            async with asyncio.timeout(15):
                stdout, stderr = await process.communicate()
        assert await landed(), f"{await _event_types(settings)}; {stdout.decode()}; {stderr.decode()}"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    out, err = stdout.decode(), stderr.decode()
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert "Traceback" not in out
    clusters = sum(len(c) for c in province.clusters.values())
    assert f"simulating {len(province.stations)} stations and {clusters} clusters" in out
    assert "] heartbeats " in out  # a progress line
    summary = out[out.index("simulated ") :]
    counts = dict(line.strip().rsplit(": ", 1) for line in summary.splitlines()[1:] if ": " in line)
    assert int(counts["heartbeats"]) > 0
    assert int(counts["signal losses"]) > 0
    assert int(counts["relay sessions"]) > 0
    assert int(counts["alerts"]) > 0
    assert int(counts["acknowledgements"]) > 0
