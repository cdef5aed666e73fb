"""Runs one service process: settings, logging, then uvicorn on the service's port (or, for a
``backbone`` process, its backbone port)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

import uvicorn
from litestar import Litestar

from libs.common.logs import configure_logging
from libs.common.settings import ServiceRole, Settings, SettingsError, load_settings
from libs.common.tracing import setup_tracing


def run_service(name: str, create_app: Callable[[Settings], Litestar]) -> None:
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
    try:
        app = create_app(settings)
    except SettingsError as exc:  # a setting only the service itself can check (a key file's content)
        print(f"tinhso {name}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    port = settings.listen_port(name)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=port,
        log_config=None,
        log_level=settings.log_level.value,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        # uvicorn would believe X-Forwarded-For from any loopback peer; the gateway decides
        # which proxies it believes (TINHSO_TRUSTED_PROXIES), from the real socket peer.
        proxy_headers=False,
        # Live-feed frames are small JSON sent to thousands of sockets: compressing each one for
        # each socket (a compressor per connection) cost more CPU than anything else in a send.
        ws_per_message_deflate=False,
    )
    role = "" if settings.service_role is ServiceRole.ALL else f" ({settings.service_role.value})"
    logging.getLogger(__name__).info("%s%s listening on http://%s:%d", name, role, settings.host, port)
    uvicorn.Server(config).run()
