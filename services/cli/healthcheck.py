"""The image's ``HEALTHCHECK``: are the tinhso processes of this container ready?

One image runs every service, as an API or a backbone process, so the check does not know
which one it is in: it asks ``/health/ready`` on each port a process of the catalogue would
listen on, here, and the container is healthy when at least one answers and every one that
answers is ready. A port nobody listens on is another container's. Run as
``python -m services.cli.healthcheck``: the standard library and the settings only, since it
runs every few seconds in every container.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Iterable

from contracts.services import CATALOGUE
from libs.common.settings import Settings, SettingsError, load_settings

TIMEOUT_SECONDS = 3.0
WILDCARDS = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - addresses to translate, not to listen on


def ports(settings: Settings) -> list[int]:
    """Every port a tinhso process may listen on with these settings: APIs and backbones."""
    found = [settings.port_of(s.name) for s in CATALOGUE]
    found += [settings.backbone_port_of(s.name) for s in CATALOGUE if s.event_sourced]
    return found


def probe(host: str, port: int) -> int | None:
    """The status of ``/health/ready`` on that port, or None when nothing listens there."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/health/ready", timeout=TIMEOUT_SECONDS) as response:
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except urllib.error.URLError as exc:
        # urlopen wraps the socket's errors; refused means nobody listens on that port here.
        return None if isinstance(exc.reason, ConnectionRefusedError) else 0
    except OSError:
        return 0  # something listens but does not answer in time: not ready


def verdict(host: str, candidates: Iterable[int]) -> tuple[bool, str]:
    answers = {port: status for port in candidates if (status := probe(host, port)) is not None}
    if not answers:
        return False, f"no tinhso process answers on {host}"
    not_ready = sorted(port for port, status in answers.items() if status != 200)
    if not_ready:
        return False, "not ready on port " + ", ".join(map(str, not_ready))
    return True, "ready on port " + ", ".join(map(str, sorted(answers)))


def main() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"tinhso: {exc}", file=sys.stderr)
        return 1
    host = "127.0.0.1" if settings.host in WILDCARDS else settings.host
    healthy, message = verdict(host, ports(settings))
    print(message)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
