"""Runs one service process: settings, logging, then uvicorn on the service's port (or, for a
``backbone`` process, its backbone port); or, for a service that asks for several, uvicorn's
worker processes on that one port, each building its own app from the environment (ADR 0057)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

import uvicorn
from litestar import Litestar

from libs.common.logs import configure_logging
from libs.common.settings import ServiceRole, Settings, SettingsError, load_settings
from libs.common.tracing import setup_tracing


def _process_settings(name: str) -> Settings:
    """This process's settings, with its logging and tracing set up; exits on a wrong setting."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"tinhso {name}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    if not settings.database_url or not settings.kafka_bootstrap:
        print(
            f"tinhso {name}: TINHSO_DATABASE_URL and TINHSO_KAFKA_BOOTSTRAP must be set "
            "(run `tinhso up` to start everything on the embedded default)",
            file=sys.stderr,
        )
        raise SystemExit(2)
    configure_logging(settings.log_level.value, service=name, log_format=settings.log_format)
    setup_tracing(name, otlp_endpoint=settings.otlp_endpoint, sample_ratio=settings.trace_sample_ratio)
    return settings


def _built(name: str, create_app: Callable[[Settings], Litestar], settings: Settings) -> Litestar:
    try:
        return create_app(settings)
    except SettingsError as exc:  # a setting only the service itself can check (a key file's content)
        print(f"tinhso {name}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def worker_app(name: str, create_app: Callable[[Settings], Litestar]) -> Litestar:
    """What one of several worker processes serves: built in the worker, from its environment,
    as ``run_service`` builds it in a single process."""
    return _built(name, create_app, _process_settings(name))


def run_service(
    name: str,
    create_app: Callable[[Settings], Litestar],
    *,
    workers: Callable[[Settings], int] | None = None,
    factory: str = "",
) -> None:
    """``workers``: how many processes the settings ask for; past one, uvicorn starts them on
    the one port, each calling ``factory`` (``module:function``, which calls ``worker_app``)."""
    settings = _process_settings(name)
    port = settings.listen_port(name)
    count = workers(settings) if workers is not None and factory else 1
    options = _server_options(settings, port)
    if count > 1:
        logging.getLogger(__name__).info("%s: %d worker processes on http://%s:%d", name, count, settings.host, port)
        # The parent binds the socket and supervises; every worker accepts on it.
        uvicorn.run(factory, factory=True, workers=count, **options)
        return
    config = uvicorn.Config(_built(name, create_app, settings), **options)
    role = "" if settings.service_role is ServiceRole.ALL else f" ({settings.service_role.value})"
    logging.getLogger(__name__).info("%s%s listening on http://%s:%d", name, role, settings.host, port)
    uvicorn.Server(config).run()


def _server_options(settings: Settings, port: int) -> dict[str, Any]:
    return {
        "host": settings.host,
        "port": port,
        "log_config": None,
        "log_level": settings.log_level.value,
        "access_log": False,
        "lifespan": "on",
        "timeout_graceful_shutdown": 10,
        # uvicorn would believe X-Forwarded-For from any loopback peer; the gateway decides
        # which proxies it believes (TINHSO_TRUSTED_PROXIES), from the real socket peer.
        "proxy_headers": False,
        # Live-feed frames are small JSON sent to thousands of sockets: compressing each one for
        # each socket (a compressor per connection) cost more CPU than anything else in a send.
        "ws_per_message_deflate": False,
    }
