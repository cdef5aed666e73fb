"""The development admin key the embedded default creates once and shows on every start.

Only for the embedded default (a developer's machine): the key is kept in
``<state dir>/dev-admin.key`` (mode 0600) beside the data it unlocks, so a restart shows it
again. A deployment with a configured database gets no such key; its operators create
partners with ``tinhso partners create``.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import asyncpg
import msgspec

from services.gateway.security import api_keys
from services.gateway.security.partner_store import PartnerStore
from services.gateway.security.partners import Partner

DEV_ADMIN = "dev-admin"
KEY_FILE = "dev-admin.key"


class DevKey(msgspec.Struct, frozen=True):
    token: str | None
    """None when the operator revoked the development partner: it is not brought back."""
    path: Path
    created: bool


async def ensure_dev_admin_key(pool: asyncpg.Pool, state_path: Path) -> DevKey:
    store = PartnerStore(pool)
    path = state_path / KEY_FILE
    saved = path.read_text("ascii").strip() if path.exists() else ""
    presented = api_keys.parse(saved)
    if presented is not None:
        record = await store.key(presented.key_id)
        if record is not None and api_keys.matches(presented, record.secret_hash):
            return DevKey(token=saved, path=path, created=False)
    known = {item.partner.name: item.partner for item in await store.list()}
    partner = known.get(DEV_ADMIN)
    if partner is None:
        token = await store.create(Partner(name=DEV_ADMIN, scopes=frozenset({"admin"})))
    elif partner.revoked_at is not None:
        return DevKey(token=None, path=path, created=False)
    else:
        # The file was lost or holds a rotated-out key: replace the key rather than strand it.
        token = await store.rotate_key(DEV_ADMIN, grace=datetime.timedelta(0))
    _write_secret(path, token)
    return DevKey(token=token, path=path, created=True)


def _write_secret(path: Path, token: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(token + "\n")
    os.replace(tmp, path)


def banner_lines(key: DevKey) -> list[str]:
    if key.token is None:
        return [f"  Admin API key        none: the {DEV_ADMIN} partner was revoked (tinhso partners create …)"]
    return [
        f"  Admin API key (dev)  {key.token}",
        f"                       kept in {key.path}; send it as 'Authorization: Bearer <key>'",
    ]
