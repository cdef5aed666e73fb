"""One caller identity for the rate limit, the execution slots and persisted-query owners: a
partner and a caller whose subject reads like the partner's name are two callers everywhere."""

from __future__ import annotations

import hashlib

import asyncpg
from graphql import GraphQLError

from libs.common.migrations import apply_migrations
from libs.common.principal import Principal
from services.cli.catalogue import migrations_for
from services.gateway.adapters.persisted_queries import PersistedQueries
from services.gateway.graphql.persisted import _Storer
from services.gateway.security.callers import caller_key
from services.gateway.security.rate_limit import Limit, RateLimiter

PARTNER = Principal(subject="partner:vnpt", partner="vnpt", scopes=frozenset({"read"}))
LOOKALIKE = Principal(subject="vnpt", scopes=frozenset({"read"}))
"""A caller without a partner (a token's subject) whose subject is the partner's name."""


async def _store(store: PersistedQueries, caller: Principal, document: str) -> str | None:
    """Stores ``document`` for ``caller`` with a quota of one: None, or the refusal's code."""
    try:
        await _Storer(caller, False, 1).store(store, hashlib.sha256(document.encode()).hexdigest(), document)
    except GraphQLError as refused:
        return str((refused.extensions or {}).get("code"))
    return None


async def test_a_subject_named_like_a_partner_has_its_own_quota_and_bucket(migrated: asyncpg.Pool) -> None:
    """The partner and the look-alike each store one document within a quota of one, and the
    owner stored is the same key the rate limiter charges. Failed before the fix: the owner was
    ``partner or subject`` without a prefix, so the look-alike used up the partner's quota
    (``PERSISTED_QUERY_QUOTA``), and neither owner matched its rate-limit bucket."""
    store = PersistedQueries(lambda: migrated)
    assert await _store(store, PARTNER, "{ platform { version } } # partner") is None
    assert await _store(store, LOOKALIKE, "{ platform { version } } # look-alike") is None
    assert await _store(store, PARTNER, "{ platform { version } } # over") == "PERSISTED_QUERY_QUOTA"

    limiter = RateLimiter(lambda: migrated, partner=Limit(60, 10), anonymous=Limit(60, 10))
    for caller in (PARTNER, LOOKALIKE):
        await limiter.check(caller, "127.0.0.1")
    buckets = [r[0] for r in await migrated.fetch("SELECT bucket FROM gateway.rate_limit_buckets ORDER BY 1")]
    owners = [r[0] for r in await migrated.fetch("SELECT stored_by FROM gateway.persisted_queries ORDER BY 1")]
    assert owners == buckets == sorted({caller_key(PARTNER), caller_key(LOOKALIKE)})
    assert caller_key(PARTNER) != caller_key(LOOKALIKE)


async def test_owners_stored_before_take_the_caller_key(fresh_database: str) -> None:
    """Owners stored as a bare partner name or a subject become the caller keys, so a partner's
    documents stored before still count against its quota."""
    conn = await asyncpg.connect(fresh_database)
    try:
        gateway = migrations_for("gateway")
        assert gateway[-1].id.startswith("0005")
        await apply_migrations(conn, gateway[:-1])
        await conn.executemany(
            "INSERT INTO gateway.persisted_queries (sha256, document, stored_by) VALUES ($1, '{ a }', $2)",
            [(c * 64, who) for c, who in zip("abcd", ["vnpt", "jwt:vnpt", "operator:tinhso-cli", None], strict=True)],
        )
        await apply_migrations(conn, gateway)
        rows = await conn.fetch("SELECT sha256, stored_by FROM gateway.persisted_queries ORDER BY sha256")
    finally:
        await conn.close()
    assert [r["stored_by"] for r in rows] == [
        caller_key(Principal(subject="partner:vnpt", partner="vnpt")),
        caller_key(Principal(subject="jwt:vnpt")),
        caller_key(Principal(subject="operator:tinhso-cli")),
        None,
    ]
