"""Which read-model commits wake a mutation's read-back (ADR 0047), and what it does when none
comes: one read at the deadline, never a hang and never an error for an accepted write."""

from __future__ import annotations

import asyncio

import httpx
import msgspec
import pytest
from aiokafka.partitioner import DefaultPartitioner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from libs.common.eventstore.results import CommandResult
from libs.common.principal import Principal, PrincipalSigner
from libs.common.projections.notices import (
    CheckpointsMoved,
    PartitionMoved,
    TopicMoved,
    decode,
    encode,
    partition_of,
)
from libs.common.settings import load_settings
from services.gateway.adapters.applied_watch import AppliedWatch, Written
from services.gateway.adapters.internal import InternalServices, ServiceCaller
from services.gateway.graphql.read_back import ReadModelLagError, read_back

TOPIC = load_settings({}).topic("registry")
STREAM = "unit-0123"
PARTITIONS = 3
MINE = partition_of(STREAM, PARTITIONS)
OTHER = (MINE + 1) % PARTITIONS
AT = (900, 42)


def moved(projection: str, partition: int, at: tuple[int, int], service: str = "registry") -> CheckpointsMoved:
    return CheckpointsMoved(
        service=service,
        projection=projection,
        topics=[TopicMoved(topic=TOPIC, partitions=PARTITIONS, moved=[PartitionMoved(partition, *at)])],
    )


def written(position: tuple[int, int] | None = AT) -> Written:
    return Written("registry", TOPIC, STREAM, position)


def test_the_partition_is_the_relays_murmur2_placement() -> None:
    keys = [f"unit-{n}" for n in range(200)]
    placed = {partition_of(key, 6) for key in keys}
    assert placed == set(range(6))  # every partition used: the placement is not constant
    assert all(partition_of(k, 6) == DefaultPartitioner()(k.encode(), list(range(6)), list(range(6))) for k in keys)


def test_a_notice_survives_its_text_form() -> None:
    notice = moved("registry_units", MINE, AT)
    assert decode(encode(notice)) == notice
    assert len(encode(notice).encode()) < 8000  # PostgreSQL's limit for a payload


def test_only_a_checkpoint_at_the_position_on_the_streams_partition_wakes_the_ticket() -> None:
    watch = AppliedWatch("postgresql://unused")
    ticket = watch.expect(written())
    watch.heard(moved("registry_units", MINE, (900, 41)))  # one event short
    watch.heard(moved("registry_units", OTHER, (950, 1)))  # further, but another partition
    watch.heard(moved("broadcast_registry", MINE, (950, 1), service="broadcast"))  # not the registry's read model
    assert not ticket.woke.is_set()
    watch.heard(moved("registry_units", MINE, AT))
    assert ticket.woke.is_set()


def test_a_ticket_for_a_write_already_applied_is_woken_at_once() -> None:
    watch = AppliedWatch("postgresql://unused")
    watch.heard(moved("registry_units", MINE, (901, 1)))
    assert watch.expect(written()).woke.is_set()
    assert not watch.expect(written((902, 1))).woke.is_set()


def test_each_read_model_wakes_a_ticket_once_then_any_of_their_commits_does() -> None:
    watch = AppliedWatch("postgresql://unused")
    watch.heard(moved("registry_assets", MINE, (1, 1)))  # both read models known to the watch
    watch.heard(moved("registry_units", MINE, (1, 1)))
    ticket = watch.expect(written())
    watch.heard(moved("registry_assets", MINE, AT))
    assert ticket.woke.is_set()
    ticket.woke.clear()
    watch.missed(ticket)  # the read found nothing: registry_assets is not the model it reads
    watch.heard(moved("registry_assets", MINE, (905, 1)))
    assert not ticket.woke.is_set()  # that projection had its turn
    watch.heard(moved("registry_units", MINE, AT))
    assert ticket.woke.is_set()
    ticket.woke.clear()
    watch.missed(ticket)  # both had their turn: the write's other streams may be elsewhere
    watch.heard(moved("registry_assets", OTHER, (906, 1)))
    assert ticket.woke.is_set()


def test_a_ticket_for_one_read_model_is_woken_by_that_one_only() -> None:
    """The registry's three projections pass a command's position at about the same moment;
    each woke a ``registerUnit`` read-back that reads units, so most mutations read twice or three
    times (1.84 reads per mutation in ``bench/gateway.py``). Failed before ``reads``: the assets
    projection's commit woke the ticket."""
    watch = AppliedWatch("postgresql://unused")
    watch.heard(moved("registry_assets", MINE, (1, 1)))
    watch.heard(moved("registry_units", MINE, (1, 1)))
    ticket = watch.expect(written(), frozenset({"registry_units"}))
    watch.heard(moved("registry_assets", MINE, AT))
    watch.heard(moved("registry_unit_groups", MINE, AT))
    assert not ticket.woke.is_set()
    watch.heard(moved("registry_units", MINE, AT))
    assert ticket.woke.is_set()
    ticket.woke.clear()
    watch.missed(ticket)  # the write's other streams lie elsewhere: its later commits wake it
    watch.heard(moved("registry_assets", OTHER, (906, 1)))
    assert not ticket.woke.is_set()
    watch.heard(moved("registry_units", OTHER, (906, 1)))
    assert ticket.woke.is_set()


def test_a_ticket_for_one_read_model_already_applied_is_woken_at_once() -> None:
    watch = AppliedWatch("postgresql://unused")
    watch.heard(moved("registry_assets", MINE, (901, 1)))
    assert not watch.expect(written(), frozenset({"registry_units"})).woke.is_set()
    watch.heard(moved("registry_units", MINE, (901, 1)))
    assert watch.expect(written(), frozenset({"registry_units"})).woke.is_set()


def _caller(read_back_seconds: float, watch: AppliedWatch | None) -> ServiceCaller:
    def service(request: httpx.Request) -> httpx.Response:
        result = CommandResult(ids=["u1"], stream_id=STREAM, version=1, event_ids=[], position=AT)
        return httpx.Response(201, content=msgspec.json.encode(result))

    settings = load_settings({}, gateway_read_back_seconds=read_back_seconds)
    client = httpx.AsyncClient(transport=httpx.MockTransport(service))
    services = InternalServices(settings, PrincipalSigner(Ed25519PrivateKey.generate()), client, watch=watch)
    return services.caller(Principal(subject="partner:ops", partner="ops", scopes=frozenset({"admin"})))


async def test_a_caller_that_hears_no_commit_reads_once_at_the_deadline() -> None:
    """A replica whose notices were lost must not hang: it waits its bound, then reads once."""
    caller = _caller(0.3, AppliedWatch("postgresql://unused"))
    await caller.post("registry", "/commands/units/register", {}, CommandResult)
    reads: list[float] = []
    loop = asyncio.get_running_loop()
    started = loop.time()

    async def fetch() -> str | None:
        reads.append(loop.time() - started)
        return "the unit"

    assert await read_back(caller, fetch, "unit u1", reads="registry_units") == "the unit"
    assert len(reads) == 1
    assert reads[0] == pytest.approx(0.3, abs=0.25)
    assert not caller.warnings


async def test_a_read_model_still_behind_answers_what_the_command_stated_with_a_warning() -> None:
    caller = _caller(0.05, AppliedWatch("postgresql://unused"))
    await caller.post("registry", "/commands/units/register", {}, CommandResult)

    async def nothing() -> str | None:
        return None

    async def stated() -> str | None:
        return "the unit as registered"

    assert await read_back(caller, nothing, "unit u1", reads=None, accepted=stated) == "the unit as registered"
    [warning] = caller.warnings
    assert warning.code == "read_model_lag"
    with pytest.raises(ReadModelLagError):  # nothing to answer with: the lag is the answer
        await read_back(caller, nothing, "unit u1", reads=None)


async def _read_back_across_a_units_commit(reads: str | None) -> str:
    """A registry command read back (``reads``) while ``registry_units`` commits the write;
    answers within 5 s, far inside the caller's 30 s deadline, or times out."""
    watch = AppliedWatch("postgresql://unused")
    caller = _caller(30.0, watch)
    await caller.post("registry", "/commands/units/register", {}, CommandResult)
    applied = False

    async def fetch() -> str | None:
        return "the unit" if applied else None

    waiting = asyncio.create_task(read_back(caller, fetch, "unit u1", reads=reads))
    await asyncio.sleep(0)  # the read-back holds its ticket
    applied = True
    watch.heard(moved("registry_units", MINE, AT))
    async with asyncio.timeout(5):  # not the 30 s deadline
        return await waiting


async def test_a_commit_wakes_the_read_back_before_its_deadline() -> None:
    assert await _read_back_across_a_units_commit(None) == "the unit"


async def test_a_read_model_of_another_service_is_not_waited_on_alone() -> None:
    """A registry command read back with a broadcast read model named would wait on a projection
    that never reports the registry's positions: it waits on the registry's own instead. Failed
    before the guard: the read-back answered only at its deadline (``reportClusterSignal`` once
    named the registry's assets for a broadcast command)."""
    assert await _read_back_across_a_units_commit("broadcast_signal") == "the unit"
