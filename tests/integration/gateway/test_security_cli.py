"""``tinhso partners`` as an operator runs it, against a real database; the dev admin key."""

import asyncio
import os
import stat
from pathlib import Path

import asyncpg
import pytest
from click.testing import CliRunner

from libs.common.errors import UnauthorizedError
from libs.common.settings import Settings
from services.cli.partners import partners
from services.gateway.security.dev_key import ensure_dev_admin_key
from services.gateway.security.identity import Authenticator
from services.gateway.security.partner_store import PartnerStore
from tests.integration.gateway.security_support import gateway_pool, partner_store

__all__ = ["gateway_pool", "partner_store"]


async def _cli(settings: Settings, *args: str) -> tuple[int, str, str]:
    env = {"TINHSO_DATABASE_URL": settings.database_url}
    result = await asyncio.to_thread(CliRunner().invoke, partners, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def _key(output: str) -> str:
    return output.strip().splitlines()[-1]


async def test_create_list_rotate_and_revoke_from_the_command_line(
    settings: Settings, partner_store: PartnerStore
) -> None:
    code, out, _ = await _cli(
        settings, "create", "Viettel-BK", "--scope", "read,registry:write", "--organisation", "viettel"
    )
    assert code == 0, out
    assert "viettel-bk created" in out
    assert "organisation VIETTEL" in out
    first = _key(out)
    auth = Authenticator(partner_store, cache_seconds=0)
    principal = await auth.authenticate(f"Bearer {first}")
    assert principal is not None
    assert principal.organisation == "VIETTEL"

    code, out, _ = await _cli(settings, "list")
    assert code == 0
    assert "viettel-bk" in out
    assert "active" in out
    assert first.split("_")[1] in out

    code, out, _ = await _cli(settings, "rotate-key", "viettel-bk", "--grace-seconds", "0")
    assert code == 0
    assert "stops working now" in out
    second = _key(out)
    with pytest.raises(UnauthorizedError):
        await auth.authenticate(f"Bearer {first}")
    assert await auth.authenticate(f"Bearer {second}") is not None

    code, out, _ = await _cli(settings, "revoke", "viettel-bk")
    assert code == 0
    with pytest.raises(UnauthorizedError):
        await auth.authenticate(f"Bearer {second}")
    code, out, _ = await _cli(settings, "list")
    assert "revoked" in out


async def test_mistakes_are_one_line_with_an_exit_code(settings: Settings, partner_store: PartnerStore) -> None:
    code, _, err = await _cli(settings, "create", "x", "--scope", "registry:delete")
    assert code == 2
    assert "unknown scope" in err
    assert "Traceback" not in err
    code, _, err = await _cli(settings, "rotate-key", "nobody")
    assert code == 1
    assert "no partner named nobody" in err
    assert (await _cli(settings, "create", "vnpt", "--scope", "read"))[0] == 0
    code, _, err = await _cli(settings, "create", "vnpt", "--scope", "read")
    assert code == 1
    assert "exists already" in err
    code, _, err = await _cli(settings, "create", "y")
    assert code == 2
    assert "--scope" in err


async def test_the_dev_admin_key_is_made_once_and_shown_again(
    gateway_pool: asyncpg.Pool, partner_store: PartnerStore, tmp_path: Path
) -> None:
    first = await ensure_dev_admin_key(gateway_pool, tmp_path)
    assert first.created
    assert first.token is not None
    assert stat.S_IMODE(os.stat(first.path).st_mode) == 0o600
    again = await ensure_dev_admin_key(gateway_pool, tmp_path)
    assert (again.token, again.created) == (first.token, False)
    principal = await Authenticator(partner_store).authenticate(f"Bearer {first.token}")
    assert principal is not None
    assert principal.is_admin

    first.path.unlink()  # a lost file: a new key replaces the old one, which stops
    replaced = await ensure_dev_admin_key(gateway_pool, tmp_path)
    assert replaced.created
    assert replaced.token != first.token
    with pytest.raises(UnauthorizedError):
        await Authenticator(partner_store).authenticate(f"Bearer {first.token}")

    await partner_store.revoke("dev-admin")  # an operator's decision is not undone
    assert (await ensure_dev_admin_key(gateway_pool, tmp_path)).token is None
