"""The bench service's ASGI app called in a loop: no server, no socket, no database.

What the app itself (middleware, routing, guard, dependencies, body decoding, the answer's
encoding, the server span) costs a command, measured as the time per call over a few
thousand calls, the fastest of several repetitions: on a busy machine the fastest
repetition is the one least slowed by others. The executor answers at once.
"""

from __future__ import annotations

import time
from typing import Any

from bench._commands import BENCH_SERVICE, BODY
from bench._common import event_keys_dir, principal_for, principal_public_key_file
from bench._server import create_app
from contracts.envelope import Metadata
from libs.common.eventstore.commands import CommandExecutor, CommandResult
from tests.support.counter import CATALOGUE

PATH = "/streams/s-1/increment"


class Answering(CommandExecutor):
    """Answers every command at once, as if its transaction had taken no time."""

    def __init__(self) -> None:
        super().__init__(None, BENCH_SERVICE, CATALOGUE)  # type: ignore[arg-type]  # never used: no pool

    async def execute(
        self, decider: Any, stream_id: str, command: Any, *, metadata: Metadata | None = None, **_: Any
    ) -> CommandResult:
        return CommandResult(stream_id=stream_id, version=1, event_ids=[])


def _scope() -> dict[str, Any]:
    name, _, value = principal_for(BENCH_SERVICE).header_line("POST", PATH).strip().partition(": ")
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(BODY)).encode()),
            (name.lower().encode("latin-1"), value.encode("latin-1")),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }


async def microseconds_per_call(stacks: list[str], *, calls: int, repeats: int) -> dict[str, float]:
    """Per stack (``BENCH_STACK``): the fastest repetition's time per call, in microseconds."""
    env = {
        "BENCH_DATABASE_URL": "postgresql://bench@127.0.0.1:9/none",  # never connected
        "BENCH_BOOTSTRAP": "127.0.0.1:9",
        "BENCH_PUBLIC_KEY_FILE": principal_public_key_file(),
        "BENCH_EVENT_KEYS_DIR": event_keys_dir(),
    }
    apps = {stack: create_app({**env, "BENCH_STACK": stack}, executor=Answering()) for stack in stacks}
    template = _scope()
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    best = dict.fromkeys(stacks, float("inf"))
    for _ in range(repeats):
        for stack, app in apps.items():  # interleaved, as the servers' windows are
            began = time.perf_counter()
            for _ in range(calls):
                await app({**template, "headers": list(template["headers"])}, receive, send)  # type: ignore[arg-type]
            best[stack] = min(best[stack], (time.perf_counter() - began) / calls * 1e6)
    refused = [s for s in statuses if s >= 300]
    if refused:
        raise RuntimeError(f"the app refused {len(refused)} calls (status {refused[0]})")
    return best
