"""The one command path's context against a real PostgreSQL: ids remembered for a replay,
the idempotency key named by the context, an ownership check inside the command's transaction."""

from __future__ import annotations

import asyncpg
import pytest

from contracts.envelope import Metadata
from libs.common.errors import ForbiddenError
from libs.common.eventstore.commands import CommandExecutor, Transaction
from libs.common.eventstore.context import SYSTEM, CommandContext
from libs.common.principal import Principal
from tests.support.counter import CATALOGUE, COUNTER, Increment

CENTRE = Principal(subject="centre", partner="BK-PAC", scopes=frozenset({"w"}), unit_code="PAC")


def context(key: str | None, principal: Principal = CENTRE) -> CommandContext:
    meta = Metadata(actor=principal.subject, partner=principal.partner)
    return CommandContext(principal=principal, metadata=meta, idempotency_key=key, request_path="/commands/x")


@pytest.mark.parametrize("batched", [True, False])
async def test_a_replay_answers_the_ids_the_first_request_created(store_pool: asyncpg.Pool, batched: bool) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE, batched=batched)
    ctx = context(f"key-{batched}")
    first_ids = ctx.new_ids()
    first = await executor.execute(
        COUNTER, f"ids-{batched}", Increment(by=1), context=ctx, request={"by": 1}, ids=first_ids
    )
    again = await executor.execute(
        COUNTER, f"ids-{batched}", Increment(by=1), context=ctx, request={"by": 1}, ids=ctx.new_ids()
    )
    assert first.ids == first_ids
    assert not first.replayed
    assert again.replayed
    assert again.ids == first_ids
    assert again.event_ids == first.event_ids


async def test_the_context_names_the_key_by_partner_path_and_request(store_pool: asyncpg.Pool) -> None:
    ctx = context("same")
    key = ctx.idempotency({"by": 1})
    assert key is not None
    assert key.principal == "BK-PAC"
    assert key != ctx.idempotency({"by": 2})
    assert key != CommandContext(
        principal=CENTRE, metadata=ctx.metadata, idempotency_key="same", request_path="/commands/y"
    ).idempotency({"by": 1})
    assert SYSTEM.idempotency({"by": 1}) is None


async def test_a_check_runs_in_the_commands_transaction_and_a_refusal_appends_nothing(
    store_pool: asyncpg.Pool,
) -> None:
    executor = CommandExecutor(store_pool, "test", CATALOGUE)
    seen: list[object] = []

    async def refuse(tx: Transaction) -> None:
        seen.append(tx.context.unit_code)
        assert tx.conn.is_in_transaction()
        raise ForbiddenError("not yours", code="outside_own_unit")

    with pytest.raises(ForbiddenError):
        await executor.execute(COUNTER, "checked", Increment(by=1), context=context(None), check=refuse)
    assert seen == ["PAC"]
    async with store_pool.acquire() as conn:
        assert await executor.store.load(conn, "checked") == []

    async def allow(tx: Transaction) -> None:
        return None

    done = await executor.execute(COUNTER, "checked", Increment(by=1), context=context(None), check=allow, ids=["c"])
    assert done.version == 1
    assert done.ids == ["c"]
