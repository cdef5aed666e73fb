"""Bulk import: up to 10,000 command items, each run through the normal application
commands, with a per-item result (created / unchanged / rejected) and progress per chunk.

An item is ``{"kind": "...", "key": optional stable string, ...fields}``. :data:`KINDS` is
the one table from kind to what runs it: an :class:`ImportKind` (msgspec body type, handler,
and the official codes the item reads and writes). **To add a kind** (assets: radio
stations, clusters, base stations, teams...), write its body Struct and handler in a module
beside this one (as ``unit_import.py`` does for units) and add one entry here; nothing else
changes. A kind whose entry has no ``keys`` is imported on its own, in order.

Re-importing the same file changes nothing. Every item carries an idempotency key,
``(principal, "import:" + kind + ":" + (key or SHA-256 of the item's canonical JSON))``,
stored in the same transaction as the item's events; importing it again replays the stored
result ("unchanged"). An item that is already done by another path (a unit with the same
code, start date, name, level and parent registered some other way) is "unchanged" too.

Items may refer to codes that earlier items create, so the result is the result of running
them in order. Within a chunk, consecutive items that touch disjoint codes (``Keys``) run
side by side on a few connections, which gives the same result faster. Each item commits on
its own: an import that stops half-way (a lost connection) is finished by sending it again.
A domain error rejects the item; anything else (the database is gone) fails the import.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from libs.common.errors import DomainError
from libs.common.eventstore.context import CommandContext
from libs.common.eventstore.idempotency import IdempotencyKey
from services.registry.application import asset_import, network_import, unit_group_import, unit_import
from services.registry.application.handlers import RegistryHandlers
from services.registry.application.import_kinds import ImportContext, ImportKind, ItemContext, Keys
from services.registry.application.import_parsing import RawItem, check_count
from services.registry.application.import_report import ImportProgress, ImportReport, ItemError, ItemResult

log = logging.getLogger(__name__)

KINDS: Mapping[str, ImportKind[Any]] = {
    "register_unit": unit_import.REGISTER_UNIT,
    "merge_units": unit_import.MERGE_UNITS,
    "reparent_unit": unit_import.REPARENT_UNIT,
    "rename_unit": unit_import.RENAME_UNIT,
    "dissolve_unit": unit_import.DISSOLVE_UNIT,
    # assets (application/asset_import.py: how items name stations and systems they act on)
    "register_organisation": asset_import.REGISTER_ORGANISATION,
    "register_radio_station": asset_import.REGISTER_RADIO_STATION,
    "upgrade_radio_station": asset_import.UPGRADE_RADIO_STATION,
    "change_radio_station_status": asset_import.CHANGE_RADIO_STATION_STATUS,
    "register_speaker_cluster": asset_import.REGISTER_SPEAKER_CLUSTER,
    "commission_bts_station": network_import.COMMISSION_BTS_STATION,
    "connect_village_fibre": network_import.CONNECT_VILLAGE_FIBRE,
    "establish_digital_team": network_import.ESTABLISH_DIGITAL_TEAM,
    "open_postal_point": network_import.OPEN_POSTAL_POINT,
    "register_video_endpoint": network_import.REGISTER_VIDEO_ENDPOINT,
    "register_wifi_hotspot": network_import.REGISTER_WIFI_HOTSPOT,
    "register_information_system": asset_import.REGISTER_INFORMATION_SYSTEM,
    "approve_security_level": asset_import.APPROVE_SECURITY_LEVEL,
    # unit groups (ADR 0056)
    "create_unit_group": unit_group_import.CREATE_UNIT_GROUP,
    "add_unit_group_member": unit_group_import.ADD_UNIT_GROUP_MEMBER,
}

CHUNK = 500
CONCURRENCY = 4
MAX_KEY = 200

ProgressCallback = Callable[[ImportProgress], None]


@dataclass(frozen=True, slots=True)
class _Ready:
    """An item whose kind and body are known: ready to run."""

    item: RawItem
    kind_name: str
    kind: ImportKind[Any]
    body: Any
    idempotency: IdempotencyKey
    keyed: bool
    keys: Keys | None


def _rejected(item: RawItem, code: str, message: str, kind: str | None = None) -> ItemResult:
    where = f"line {item.line}: " if item.line is not None else ""
    return ItemResult(
        index=item.index,
        status="rejected",
        kind=kind,
        line=item.line,
        error=ItemError(code=code, message=where + message),
    )


def prepare(item: RawItem, principal: str, kinds: Mapping[str, ImportKind[Any]]) -> _Ready | ItemResult:
    """Decode an item's kind, key and body, or reject it."""
    if item.error is not None or item.fields is None:
        error = item.error or ItemError(code="invalid_item", message="empty item")
        return ItemResult(index=item.index, status="rejected", line=item.line, error=error)
    fields = dict(item.fields)
    kind_name, key = fields.pop("kind", None), fields.pop("key", None)
    if not isinstance(kind_name, str) or kind_name not in kinds:
        known = ", ".join(sorted(kinds))
        return _rejected(item, "unknown_kind", f"kind {kind_name!r} is not one of: {known}")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= MAX_KEY):
        return _rejected(item, "invalid_key", f"key must be a string of 1 to {MAX_KEY} characters", kind_name)
    kind = kinds[kind_name]
    try:
        body = msgspec.convert(fields, kind.body)
    except msgspec.ValidationError as exc:
        return _rejected(item, "invalid_item", str(exc), kind_name)
    canonical = msgspec.json.encode(body, order="deterministic")
    name = f"import:{kind_name}:{key if key is not None else hashlib.sha256(canonical).hexdigest()}"
    return _Ready(
        item=item,
        kind_name=kind_name,
        kind=kind,
        body=body,
        idempotency=IdempotencyKey.for_request(principal, name, body),
        keyed=key is not None,
        keys=kind.keys(body) if kind.keys is not None else None,
    )


def waves(prepared: Sequence[_Ready | ItemResult]) -> list[list[_Ready | ItemResult]]:
    """Consecutive runs of items that may run side by side: no item in a run touches a code
    an earlier one in the run writes (or writes one it touches); an item without keys runs alone."""
    out: list[list[_Ready | ItemResult]] = []
    current: list[_Ready | ItemResult] = []
    seen: list[Keys] = []
    for p in prepared:
        if isinstance(p, _Ready):
            if p.keys is None or any(p.keys.conflicts_with(k) for k in seen):
                out.append(current)
                current, seen = [], []
            if p.keys is None:
                out.append([p])
                continue
            seen.append(p.keys)
        current.append(p)
    out.append(current)
    return [w for w in out if w]


class BulkImporter:
    def __init__(
        self,
        handlers: RegistryHandlers,
        *,
        kinds: Mapping[str, ImportKind[Any]] = KINDS,
        chunk_size: int = CHUNK,
        concurrency: int = CONCURRENCY,
    ) -> None:
        self.handlers = handlers
        self.kinds = kinds
        self.chunk_size = chunk_size
        self.concurrency = concurrency

    async def run(
        self,
        items: Sequence[RawItem],
        ctx: CommandContext,
        *,
        on_progress: ProgressCallback | None = None,
    ) -> ImportReport:
        """Run the items as ``ctx``'s caller; each item's idempotency key is that caller's."""
        meta = ctx.metadata
        principal = (meta.partner or meta.actor if meta is not None else None) or "anonymous"
        check_count(len(items))
        started = time.monotonic()
        results: list[ItemResult] = []
        chunks = max(1, -(-len(items) // self.chunk_size))
        for n, start in enumerate(range(0, len(items), self.chunk_size), start=1):
            prepared = [prepare(item, principal, self.kinds) for item in items[start : start + self.chunk_size]]
            for wave in waves(prepared):
                results.extend(await self._run_wave(wave, ctx))
            report = ImportReport.of(results)
            progress = ImportProgress(
                chunk=n,
                chunks=chunks,
                done=len(results),
                total=len(items),
                created=report.created,
                unchanged=report.unchanged,
                rejected=report.rejected,
                seconds=time.monotonic() - started,
            )
            log.info("import by %s: %s", principal, progress.describe())
            if on_progress is not None:
                on_progress(progress)
        return ImportReport.of(results)

    async def _run_wave(self, wave: list[_Ready | ItemResult], ctx: CommandContext) -> list[ItemResult]:
        gate = asyncio.Semaphore(self.concurrency)

        async def one(p: _Ready | ItemResult) -> ItemResult:
            if isinstance(p, ItemResult):
                return p
            async with gate:
                return await self._run_item(p, ctx)

        if len(wave) == 1:
            return [await one(wave[0])]
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(one(p)) for p in wave]
        return [t.result() for t in tasks]

    async def _run_item(self, p: _Ready, ctx: CommandContext) -> ItemResult:
        command = ItemContext(principal=ctx.principal, metadata=ctx.metadata, item_key=p.idempotency)
        item = ImportContext(handlers=self.handlers, command=command, keyed=p.keyed)
        try:
            outcome = await p.kind.handle(item, p.body)
        except DomainError as exc:
            return ItemResult(
                index=p.item.index,
                status="rejected",
                kind=p.kind_name,
                line=p.item.line,
                error=ItemError(code=exc.code, message=exc.message, details=exc.details),
            )
        return ItemResult(
            index=p.item.index,
            status=outcome.status,
            kind=p.kind_name,
            line=p.item.line,
            unit_id=outcome.unit_id,
            code=outcome.code,
        )
