"""``TINHSO_GATEWAY_WORKERS``: how many gateway processes serve the port, each building its app
from the environment (ADR 0057)."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar import Litestar

from contracts.services import EVENT_SOURCED
from libs.common import serve
from libs.common.event_signing import ensure_event_keys
from libs.common.principal import ensure_keypair
from libs.common.settings import SettingsError, load_settings
from services.gateway import workers

ENV = {"TINHSO_DATABASE_URL": "postgresql://tinhso@127.0.0.1:1/tinhso", "TINHSO_KAFKA_BOOTSTRAP": "127.0.0.1:1"}


def test_one_process_unless_the_setting_asks_for_more() -> None:
    assert workers.workers(load_settings({})) == 1
    assert workers.workers(load_settings({"TINHSO_GATEWAY_WORKERS": "2"})) == 2


@pytest.mark.parametrize("wrong", ["0", "65", "two"])
def test_a_worker_count_out_of_bounds_is_refused(wrong: str) -> None:
    with pytest.raises(SettingsError):
        load_settings({"TINHSO_GATEWAY_WORKERS": wrong})


def test_a_worker_builds_the_gateway_from_its_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("TINHSO_STATE_DIR", str(tmp_path))
    # A worker sets up its process's logging and tracing; this process's stay as the suite's.
    monkeypatch.setattr(serve, "configure_logging", lambda *_, **__: None)
    monkeypatch.setattr(serve, "setup_tracing", lambda *_, **__: None)
    keyed = load_settings({}, state_dir=str(tmp_path))
    ensure_keypair(keyed)  # the keys, as `tinhso up` makes them
    ensure_event_keys(keyed, EVENT_SOURCED)
    app = workers.app()  # what uvicorn calls in each worker process (nothing connects before start-up)
    assert isinstance(app, Litestar)
    assert app.state.applied_watch is not None
