import datetime

import asyncpg
import pytest

from libs.common.errors import ConflictError, NotFoundError, UnauthorizedError
from services.gateway.security.identity import Authenticator
from services.gateway.security.partner_store import PartnerStore
from tests.integration.gateway.security_support import gateway_pool, partner, partner_store

__all__ = ["gateway_pool", "partner_store"]


async def test_a_new_partner_key_authenticates_as_that_partner(partner_store: PartnerStore) -> None:
    key = await partner_store.create(partner("viettel-bk", "read", "registry:write", organisation="VIETTEL"))
    principal = await Authenticator(partner_store).authenticate(f"Bearer {key}")
    assert principal is not None
    assert principal.partner == "viettel-bk"
    assert principal.organisation == "VIETTEL"
    assert principal.scopes == {"read", "registry:write"}


async def test_the_key_is_stored_only_as_a_hash(partner_store: PartnerStore, gateway_pool: asyncpg.Pool) -> None:
    key = await partner_store.create(partner("vnpt", "read"))
    secret = key[len("tsk_") + 17 :]
    rows = await gateway_pool.fetch("SELECT * FROM gateway.api_keys")
    assert len(rows) == 1
    assert all(secret not in str(value) and key not in str(value) for value in rows[0].values())


async def test_no_header_is_anonymous_and_a_bad_one_is_a_401(partner_store: PartnerStore) -> None:
    auth = Authenticator(partner_store)
    key = await partner_store.create(partner("vnpt", "read"))
    assert await auth.authenticate(None) is None
    assert await auth.authenticate("") is None
    wrong_secret = key[:-3] + ("AAA" if not key.endswith("AAA") else "BBB")
    for header in [key, f"Basic {key}", "Bearer", "Bearer tsk_nope", f"Bearer {wrong_secret}", "Bearer a.b.c"]:
        with pytest.raises(UnauthorizedError):
            await auth.authenticate(header)


async def test_a_revoked_partner_is_refused_once_the_cache_window_passes(partner_store: PartnerStore) -> None:
    now = [1000.0]
    auth = Authenticator(partner_store, cache_seconds=5, clock=lambda: now[0])
    key = await partner_store.create(partner("post", "read"))
    assert await auth.authenticate(f"Bearer {key}") is not None
    await partner_store.revoke("post")
    now[0] += 4  # still inside the window: the cached answer stands
    assert await auth.authenticate(f"Bearer {key}") is not None
    now[0] += 1.01
    with pytest.raises(UnauthorizedError):
        await auth.authenticate(f"Bearer {key}")
    # A fresh authenticator (another replica) refuses at once.
    with pytest.raises(UnauthorizedError):
        await Authenticator(partner_store).authenticate(f"Bearer {key}")


async def test_rotation_with_grace_keeps_the_old_key_until_it_expires(partner_store: PartnerStore) -> None:
    old = await partner_store.create(partner("mobifone", "read"))
    new = await partner_store.rotate_key("mobifone", grace=datetime.timedelta(hours=1))
    auth = Authenticator(partner_store, cache_seconds=0)
    assert new != old
    assert await auth.authenticate(f"Bearer {old}") is not None
    assert await auth.authenticate(f"Bearer {new}") is not None
    newest = await partner_store.rotate_key("mobifone", grace=datetime.timedelta(0))
    for stale in (old, new):
        with pytest.raises(UnauthorizedError):
            await auth.authenticate(f"Bearer {stale}")
    assert await auth.authenticate(f"Bearer {newest}") is not None
    listing = {p.partner.name: p for p in await partner_store.list()}
    assert listing["mobifone"].current_key == newest.split("_")[1]
    assert listing["mobifone"].keys_in_grace == 0


async def test_names_are_unique_and_unknown_or_revoked_partners_cannot_be_rotated(partner_store: PartnerStore) -> None:
    await partner_store.create(partner("vnpt", "read"))
    with pytest.raises(ConflictError):
        await partner_store.create(partner("vnpt", "admin"))
    with pytest.raises(NotFoundError):
        await partner_store.rotate_key("nobody", grace=datetime.timedelta(0))
    await partner_store.revoke("vnpt")
    with pytest.raises(ConflictError):
        await partner_store.rotate_key("vnpt", grace=datetime.timedelta(0))
    with pytest.raises(ConflictError):
        await partner_store.revoke("vnpt")
