"""``tinhso up``: infrastructure, migrations, the four services, then wait for Ctrl-C."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import httpx

from contracts.services import INTERNAL
from libs.common.db import create_pool
from libs.common.embedded.process import port_in_use
from libs.common.event_signing import EventKeyError, ensure_event_keys
from libs.common.logs import child_log_format
from libs.common.principal import KeyFileError, ensure_keypair
from libs.common.settings import ServiceRole, Settings, env_name
from services.cli import platform_state
from services.cli.catalogue import EVENT_SOURCED, SERVICES
from services.cli.infrastructure import Infrastructure, StartupError, migrate
from services.cli.supervisor import SupervisedService, child_environment
from services.gateway.security.dev_key import banner_lines, ensure_dev_admin_key
from services.gateway.security.external_jwt import ExternalJwtVerifier, JwtConfigError

log = logging.getLogger("tinhso")


def preflight(settings: Settings) -> None:
    """Fail before starting anything if a service port is taken or the gateway could not start."""
    try:
        ExternalJwtVerifier.from_settings(settings)
    except JwtConfigError as exc:
        raise StartupError(str(exc)) from None
    for service in SERVICES:
        port = settings.port_of(service)
        if port_in_use(settings.host, port):
            raise StartupError(
                f"{env_name(service + '_port')}={port}: port {port} on {settings.host} is already in use "
                "(another tinhso up, or set the variable to a free port)"
            )
    for service in backbone_processes(settings):
        port = settings.backbone_port_of(service)
        if port_in_use(settings.host, port):
            raise StartupError(
                f"port {port} on {settings.host} ({service}'s backbone process: {env_name(service + '_port')} "
                f"+ {env_name('backbone_port_offset')}) is already in use (another tinhso up, or change "
                f"{env_name('backbone_port_offset')}, or set {env_name('separate_backbone')}=false)"
            )


def backbone_processes(settings: Settings) -> tuple[str, ...]:
    """The services whose relay and projections run in a process of their own."""
    return EVENT_SOURCED if settings.separate_backbone else ()


def supervised(settings: Settings, env: dict[str, str]) -> list[SupervisedService]:
    """Per service, its API process and, when separate, its backbone process (ADR 0012)."""
    role = env_name("service_role")
    processes = []
    for name in SERVICES:
        if name not in backbone_processes(settings):
            processes.append(SupervisedService(name, {**env, role: ServiceRole.ALL.value}))
            continue
        processes.append(SupervisedService(name, {**env, role: ServiceRole.API.value}))
        processes.append(
            SupervisedService(f"{name}-backbone", {**env, role: ServiceRole.BACKBONE.value}, module=f"services.{name}")
        )
    return processes


async def run_platform(settings: Settings, *, stop_event: asyncio.Event | None = None) -> None:
    ownership = platform_state.Ownership(settings.state_path)
    try:
        ownership.acquire()
    except platform_state.AlreadyRunningError as exc:
        raise StartupError(str(exc)) from None
    try:
        preflight(settings)
        await _run(settings, ownership, stop_event)
    finally:
        ownership.release()


async def _run(settings: Settings, ownership: platform_state.Ownership, stop_event: asyncio.Event | None) -> None:
    stop_event = stop_event or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_event.set)

    infra = Infrastructure(settings)
    services: list[SupervisedService] = []
    try:
        settings = await infra.start()
        ownership.publish(settings.database_url, settings.kafka_bootstrap)
        for applied in await migrate(settings.database_url):
            log.info("migration applied: %s", applied)
        banner_extra = await dev_admin_banner(settings) if infra.postgres is not None else []
        configured_keys = settings.principal_private_key_file or settings.principal_public_key_file
        if not configured_keys:
            try:
                written = ensure_keypair(settings)
            except KeyFileError as exc:  # a private key there that cannot be read
                raise StartupError(str(exc)) from None
            if written:
                log.info("wrote the gateway's principal %s in %s", written.value, settings.state_path / "keys")
        if not settings.event_keys_dir:  # configured: the operator provisions the keys (ADR 0022)
            try:
                for path in ensure_event_keys(settings, EVENT_SOURCED):
                    log.info("wrote the event key %s", path)
            except (EventKeyError, OSError) as exc:
                raise StartupError(f"cannot write the event keys: {exc}") from None
        env = child_environment(settings.to_env())
        # The services write into the supervisor's pipe: text if the supervisor's output is a terminal.
        env[env_name("log_format")] = child_log_format(settings.log_format, sys.stdout).value
        services = supervised(settings, env)
        for service in services:
            service.start()
        ready = asyncio.create_task(wait_until_ready(settings))
        stopped = asyncio.create_task(stop_event.wait())
        done, _ = await asyncio.wait({ready, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            ready.result()
            print_banner(settings, banner_extra)
            await stop_event.wait()
        else:
            ready.cancel()
        log.info("stopping")
    finally:
        await asyncio.gather(*(s.stop() for s in reversed(services)), return_exceptions=True)
        infra.stop()
        log.info("stopped")


async def wait_until_ready(settings: Settings) -> None:
    started = time.monotonic()
    deadline = started + settings.ready_timeout_seconds
    probes = {service: f"{settings.service_url(service)}/health/ready" for service in SERVICES}
    for service in backbone_processes(settings):
        probes[f"{service}-backbone"] = f"{settings.backbone_url(service)}/health/ready"
    pending = set(probes)
    async with httpx.AsyncClient() as client:
        while pending:
            for service in sorted(pending):
                with contextlib.suppress(httpx.HTTPError):
                    if (await client.get(probes[service], timeout=1.0)).status_code == 200:
                        pending.discard(service)
                        log.info("%s ready after %.1f s", service, time.monotonic() - started)
            if pending and time.monotonic() > deadline:
                raise StartupError(f"not ready after {settings.ready_timeout_seconds} s: {', '.join(sorted(pending))}")
            await asyncio.sleep(0.2)


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


async def dev_admin_banner(settings: Settings) -> list[str]:
    """The embedded default's development admin key, made once (services.gateway.security.dev_key)."""
    pool = await create_pool(settings.database_url, service="cli", max_size=1)
    try:
        return banner_lines(await ensure_dev_admin_key(pool, settings.state_path))
    finally:
        await pool.close()


def print_banner(settings: Settings, extra: list[str] | None = None) -> None:
    gw = settings.service_url("gateway")
    lines = [
        "",
        "tinhso is up.",
        f"  GraphQL + explorer   {gw}/graphql",
        f"  IOC console          {gw}/ioc",
        f"  REST (partners)      {gw}/api/v1   docs: {gw}/api/v1/docs",
        f"  Health               {gw}/health/ready",
        *(f"  {s:<20} {settings.service_url(s)}/docs" for s in INTERNAL),
        *(f"  {s + ' backbone':<20} {settings.backbone_url(s)}/admin/relay" for s in backbone_processes(settings)),
        "  Relays, lag (live)   tinhso admin relay | tinhso admin projections",
        f"  PostgreSQL           {without_password(settings.database_url)}",
        f"  Kafka bootstrap      {settings.kafka_bootstrap}",
        *(extra or []),
        "Press Ctrl-C to stop.",
        "",
    ]
    print("\n".join(lines), flush=True)
