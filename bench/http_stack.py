"""The command's HTTP stack, built several ways side by side: what each costs a command.

    .venv/bin/python bench/http_stack.py           # about 2 minutes
    .venv/bin/python bench/http_stack.py --quick   # a smoke run, about 40 seconds

The same route (``POST /streams/{id}/increment`` of ``bench/_server.py``: the counter's
command through ``CommandExecutor``, group commit, one PostgreSQL) is served by one process
per variant, all started before the clock starts:

- ``plain``: Litestar's routing, the executor as the route's one dependency, the metadata
  read from the request in the handler;
- ``guarded``: ``plain`` plus what every command route has: a guard checking the scope the
  route names in its ``opt``, and a ``Provide`` dependency building the command's context
  (principal, metadata) from the request, beside the executor's;
- ``chained``: ``guarded`` with the executor inside the context, so the route takes one
  dependency: Litestar resolves two independent dependencies concurrently, in a task group
  per request.

ADR 0027 has the run that decided the stack, which also measured the direct handler calls and
one-send protocol of ADRs 0015 and 0017, and granian, removed since.

Each round runs every variant's window with 8 closed-loop clients, then the raw baseline (the
same ``CommandExecutor.execute`` with 8 tasks in this process, no HTTP), one after the other,
so a slow spell of a shared machine lands on all of them; each figure sums its rounds. Before
the servers start, each variant's app is also called in a loop in this process, without a
server or a database (``bench/_app_alone.py``): what the app itself costs a command. The
table goes to stdout, then, as the last line, one JSON object; progress to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import uvloop

from bench import _app_alone, _commands
from bench._common import (
    CpuMeter,
    Report,
    Row,
    Servers,
    cpu_count,
    embedded_servers,
    migrated_pool,
    percentile,
    quiet_logging,
    ratio,
    rounded,
    say,
)
from libs.common.embedded.process import free_port

CLIENTS = 8
TARGET = 2000.0
VARIANTS: dict[str, dict[str, str]] = {
    "plain": {"BENCH_STACK": "plain"},
    "guarded": {"BENCH_STACK": "guarded"},
    "chained": {"BENCH_STACK": "chained"},
}
"""Name -> the bench server's environment (``bench/_server.py``)."""


APPS = tuple(env["BENCH_STACK"] for env in VARIANTS.values())
"""The ``BENCH_STACK``s whose app is also called in a loop."""


@dataclass(frozen=True)
class Plan:
    rounds: int
    seconds: float  # per window
    app_calls: int  # per repetition
    app_repeats: int


FULL = Plan(rounds=6, seconds=4.0, app_calls=2000, app_repeats=7)
QUICK = Plan(rounds=2, seconds=1.5, app_calls=500, app_repeats=3)


@dataclass
class Measured:
    load: _commands.Load = field(default_factory=_commands.Load)
    rounds: list[float] = field(default_factory=list)
    meter: CpuMeter | None = None

    def cpu_ms_per_command(self, name: str) -> float:
        """Milliseconds of ``name``'s CPU per command: its % of a core over the windows / rate."""
        if self.meter is None or not self.load.rate:
            return float("nan")
        return self.meter.percent[name] * 10 / self.load.rate


def meter(servers: Servers, server_pid: int | None = None) -> CpuMeter:
    pids = {"bench": os.getpid(), "server": server_pid, "postgres": servers.postgres.pid}
    return CpuMeter(pids, solo=frozenset({"bench"}))


def ms(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000


async def measure(servers: Servers, plan: Plan, state: Path) -> dict[str, Measured]:
    await (await migrated_pool(servers.url, "test", max_size=1)).close()
    processes = {
        name: _commands.ServerProcess(
            servers.url, servers.broker.bootstrap, port=free_port(), log_path=state / f"server-{name}.log", **env
        )
        for name, env in VARIANTS.items()
    }
    pool = await migrated_pool(servers.url, "test", max_size=10)  # the service's default pool size
    measured = {name: Measured() for name in [*VARIANTS, "inproc"]}
    try:
        for name, process in processes.items():
            say(f"starting the {name} server")
            await process.start()
            measured[name].meter = meter(servers, process.pid)
        measured["inproc"].meter = meter(servers)
        for name, process in processes.items():  # warm-up
            await _commands.closed_loop(process.port, clients=CLIENTS, seconds=1.0, streams=2000, prefix=f"w{name}")
        await _commands.in_process(pool, "test", tasks=CLIENTS, seconds=1.0, streams=2000, prefix="wi")
        for r in range(plan.rounds):
            say(f"round {r + 1}/{plan.rounds}: {', '.join(processes)}, then in-process")
            for name, process in processes.items():
                m = measured[name]
                assert m.meter is not None
                m.meter.start()
                load = await _commands.closed_loop(
                    process.port, clients=CLIENTS, seconds=plan.seconds, streams=2000, prefix=f"{name}{r}-"
                )
                m.meter.stop()
                m.load.merge(load)
                m.rounds.append(load.rate)
            m = measured["inproc"]
            assert m.meter is not None
            m.meter.start()
            load = await _commands.in_process(
                pool, "test", tasks=CLIENTS, seconds=plan.seconds, streams=2000, prefix=f"i{r}-"
            )
            m.meter.stop()
            m.load.merge(load)
            m.rounds.append(load.rate)
    finally:
        for process in processes.values():
            process.stop()
        await pool.close()
    return measured


def report(measured: dict[str, Measured], app_us: dict[str, float]) -> Report:
    out = Report()
    for stack, us in app_us.items():
        out.add(Row(f"app alone, {stack}: per call", us, "µs", APPS[0], app_us[APPS[0]], ratio(us, app_us[APPS[0]])))
        out.put(**{f"app_alone_{stack}_us_per_call": us})
    inproc = measured["inproc"]
    first = next(iter(VARIANTS))
    for name in VARIANTS:
        m = measured[name]
        rate = m.load.rate
        out.add(
            Row(
                f"{name}: HTTP commands/s",
                rate,
                "cmd/s",
                "in-process, 8 tasks",
                inproc.load.rate,
                ratio(rate, inproc.load.rate),
                f"{'met' if rate >= TARGET else 'not met'} (>= 2,000)",
            )
        )
        if name != first:
            out.add(Row("  (same, against the first)", rate, "cmd/s", first, measured[first].load.rate))
            out.rows[-1].ratio = ratio(rate, measured[first].load.rate)
        out.add(Row("  p50", ms(m.load.latencies, 50), "ms", "in-process p50", ms(inproc.load.latencies, 50)))
        out.add(Row("  p99", ms(m.load.latencies, 99), "ms", "in-process p99", ms(inproc.load.latencies, 99)))
        out.add(Row("  server CPU per command", m.cpu_ms_per_command("server"), "ms CPU"))
        per_round = [ratio(v, b) for v, b in zip(m.rounds, inproc.rounds, strict=True)]
        cpu = m.meter.describe() if m.meter else ""
        out.notes.append(
            f"{name}: commands/s per round {', '.join(f'{v:,.0f}' for v in m.rounds)}; against the round's "
            f"in-process {', '.join(f'{v:.2f}' for v in per_round)}; CPU (% of a core) {cpu}"
        )
        out.put(
            **{
                f"{name}_commands_per_s": rate,
                f"{name}_rounds_commands_per_s": [round(v) for v in m.rounds],
                f"{name}_errors": m.load.errors,
                f"{name}_p50_ms": ms(m.load.latencies, 50),
                f"{name}_p99_ms": ms(m.load.latencies, 99),
                f"{name}_vs_inproc_ratio": ratio(rate, inproc.load.rate),
                f"{name}_vs_{first}_ratio": ratio(rate, measured[first].load.rate),
                f"{name}_server_cpu_ms_per_command": m.cpu_ms_per_command("server"),
                f"{name}_postgres_cpu_ms_per_command": m.cpu_ms_per_command("postgres"),
                f"{name}_cpu_pct_other": m.meter.percent["other"] if m.meter else float("nan"),
                f"{name}_target_met": rate >= TARGET,
            }
        )
    out.notes.append(
        f"in-process commands/s per round {', '.join(f'{v:,.0f}' for v in inproc.rounds)}; "
        f"CPU (% of a core) {inproc.meter.describe() if inproc.meter else ''}"
    )
    out.put(
        inproc_commands_per_s=inproc.load.rate,
        inproc_rounds_commands_per_s=[round(v) for v in inproc.rounds],
        inproc_p50_ms=ms(inproc.load.latencies, 50),
        inproc_p99_ms=ms(inproc.load.latencies, 99),
        inproc_cpu_pct_other=inproc.meter.percent["other"] if inproc.meter else float("nan"),
    )
    errors = sum(measured[name].load.errors for name in VARIANTS)
    if errors:
        out.notes.insert(0, f"WARNING: {errors} commands were refused or failed (the *_errors figures)")
    return out


async def main(plan: Plan, *, quick: bool) -> Report:
    began = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tinhso-bench-") as tmp:
        state = Path(tmp)
        say(f"starting embedded PostgreSQL and broker in {state}")
        say(f"the apps alone: {', '.join(APPS)}, {plan.app_repeats} x {plan.app_calls} calls each")
        app_us = await _app_alone.microseconds_per_call(list(APPS), calls=plan.app_calls, repeats=plan.app_repeats)
        with embedded_servers(state) as servers:
            measured = await measure(servers, plan, state)
    out = report(measured, app_us)
    out.put(bench_seconds=time.monotonic() - began, quick=quick, cpu_count=cpu_count(), rounds=plan.rounds)
    return out


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a short smoke run (2 rounds of 1.5 s windows)")
    args = parser.parse_args()
    quiet_logging()
    out = uvloop.run(main(QUICK if args.quick else FULL, quick=args.quick))
    print(out.render())
    print(json.dumps({k: rounded(v) for k, v in out.figures.items()}))


if __name__ == "__main__":
    cli()
