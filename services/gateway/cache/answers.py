"""Whole answers kept in memory, each with the keys of its scope (``cache.scope``), and the
bookkeeping that keeps them no older than the read models they came from.

Three things drop or refuse an answer:

- an event: every answer whose scope meets the event's keys is dropped, and those keys stay
  *settling* for ``settle_seconds``: an answer read while the event may still be on its way
  into a read model (the gateway's consumer can see it before a projection applies it) is
  served but not kept;
- a write through this gateway (a command sent to a service, and every call after it in the
  same operation, such as the read-back of its result): what its body names is invalidated
  as an event's keys are, since its event may reach the consumer after the writer has read
  back its own write; one whose body names no key *fences* the whole cache
  (``cache.invalidation``);
- the race: a read records the sequence of invalidations when it starts, and its answer is not
  kept if an invalidation of its scope (or a fence) came after that, however late the answer
  is ready. Marks are kept for ``horizon`` seconds; a read that took longer is never kept.

Identical operations that miss while one of them is being read wait for it (a *flight*) and
take its answer, kept or not, unless its scope changed after the flight began and before they
arrived. A change after a caller arrived is concurrent with its request, as it would be with a
read of its own; one before it (the caller's own write, answered before it asked) must show. So
a burst of callers behind a settling scope, or one changing ten times a second, costs one read
per flight, not one per caller.

Entries are bounded in number and in bytes (their JSON size) and live at most ``ttl_seconds``,
the bound on what changes without an event (a heartbeat's ``lastSeenAt`` written through
another gateway replica, an answer that depends on the clock).
"""

from __future__ import annotations

import asyncio
import collections
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import cachetools
import msgspec

from libs.common.prometheus_metrics import Families
from services.gateway.cache.scope import EVERYTHING

Answer = dict[str, Any]
"""An operation's ``data``, as graphql-core made it (shared, never changed after it is kept)."""

ENTRY_OVERHEAD_BYTES = 512
"""Counted per entry beyond its JSON: the key, the scope's set and the index's references."""
HORIZON_SECONDS = 30.0
"""How long invalidation marks are kept, and so the longest read whose answer may be kept."""
MARK_HISTORY = 64
"""Invalidations remembered per key: a key changing ten times a second while a slow read is in
flight still tells its waiters which changes came before they arrived."""


@dataclass(frozen=True, slots=True)
class Entry:
    data: Answer
    keys: frozenset[str]
    size: int


@dataclass(frozen=True, slots=True)
class Ticket:
    """Where the cache stood when a read started: what its answer is checked against."""

    sequence: int
    started: float


@dataclass(slots=True)
class Mark:
    """The invalidations that named a key within the horizon, the last ``MARK_HISTORY`` of them."""

    sequences: collections.deque[int]
    settles: float
    marked: float

    @property
    def sequence(self) -> int:
        return self.sequences[-1]

    def changed_between(self, after: int, upto: int) -> bool:
        """Whether the key may have changed in ``(after, upto]``; when every change kept is
        after ``upto`` and older ones were let go, one may be hidden: it counts as changed."""
        if upto <= after:
            return False
        for sequence in reversed(self.sequences):
            if sequence <= after:
                return False
            if sequence <= upto:
                return True
        return len(self.sequences) == self.sequences.maxlen


@dataclass(frozen=True, slots=True)
class Landed:
    """A flight's answer with what it was read under, for those who waited for it."""

    data: Answer
    keys: frozenset[str]
    ticket: Ticket


class _Entries(cachetools.TTLCache[bytes, Entry]):
    """Tells its owner of every entry it lets go (evicted for room, or expired), so the scope
    index forgets it too."""

    def __init__(self, owner: AnswerCache, max_bytes: int, ttl: float, timer: Callable[[], float]) -> None:
        super().__init__(max_bytes, ttl, timer=timer, getsizeof=lambda entry: entry.size)
        self.owner = owner

    def popitem(self) -> tuple[bytes, Entry]:
        key, entry = super().popitem()
        self.owner.evicted(key, entry)
        return key, entry

    def expire(self, time: float | None = None) -> list[tuple[bytes, Entry]]:
        expired = list(super().expire(time))
        for key, entry in expired:
            self.owner.forget(key, entry)
        return expired


class AnswerCache:
    def __init__(
        self,
        *,
        max_entries: int,
        max_bytes: int,
        ttl_seconds: float,
        settle_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.settle_seconds = settle_seconds
        self.horizon = max(HORIZON_SECONDS, settle_seconds)
        self.clock = clock
        self._entries = _Entries(self, max_bytes, ttl_seconds, clock)
        self._index: dict[str, set[bytes]] = collections.defaultdict(set)
        self.sequence = 0
        self._marks: collections.OrderedDict[str, Mark] = collections.OrderedDict()
        self._fence = (0, 0.0)
        self._flights: dict[bytes, asyncio.Future[Landed | None]] = {}
        self.hits = self.misses = self.shared = self.evictions = self.dropped = self.refused = 0

    # --- reading -------------------------------------------------------------------------------

    def ticket(self) -> Ticket:
        return Ticket(self.sequence, self.clock())

    def get(self, key: bytes) -> Answer | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        self.hits += 1
        return entry.data

    def in_flight(self, key: bytes) -> asyncio.Future[Landed | None] | None:
        """The same answer being read by another operation now: what it landed, or None."""
        return self._flights.get(key)

    def fly(self, key: bytes) -> asyncio.Future[Landed | None]:
        flight: asyncio.Future[Landed | None] = asyncio.get_running_loop().create_future()
        self._flights[key] = flight
        return flight

    def land(self, key: bytes, flight: asyncio.Future[Landed | None], landed: Landed | None) -> None:
        """``landed``: the flight's answer (None for one with errors, or none at all)."""
        if self._flights.get(key) is flight:
            del self._flights[key]
        if not flight.done():
            flight.set_result(landed)

    def share(self, landed: Landed | None, arrived: Ticket) -> Answer | None:
        """A flight's answer for one who waited for it since ``arrived``, unless its scope
        changed after the flight began and before the waiter arrived (its own read would show
        that change)."""
        if landed is None:
            return None
        began = landed.ticket
        if self.clock() - began.started > self.horizon or self._fence[0] > began.sequence:
            return None
        for name in landed.keys:
            mark = self._marks.get(name)
            if mark is not None and mark.changed_between(began.sequence, arrived.sequence):
                return None
        self.shared += 1
        return landed.data

    def landed(self, data: Answer, keys: Iterable[str], ticket: Ticket) -> Landed:
        return Landed(data, frozenset(keys) or frozenset({EVERYTHING}), ticket)

    def put(self, key: bytes, data: Answer, keys: Iterable[str], ticket: Ticket) -> bool:
        """Keeps ``data`` unless something its scope holds changed since ``ticket``, or may still
        be on its way into a read model; says whether it was kept."""
        scope = frozenset(keys) or frozenset({EVERYTHING})
        now = self.clock()
        if not self._fresh(scope, ticket, now):
            self.refused += 1
            return False
        size = len(msgspec.json.encode(data)) + ENTRY_OVERHEAD_BYTES
        if size > self.max_bytes:
            self.refused += 1
            return False
        old = self._entries.pop(key, None)
        if old is not None:
            self.forget(key, old)
        while len(self._entries) >= self.max_entries:
            self._entries.popitem()
        self._entries[key] = Entry(data, scope, size)
        for name in scope:
            self._index[name].add(key)
        return True

    def _fresh(self, scope: frozenset[str], ticket: Ticket, now: float) -> bool:
        if now - ticket.started > self.horizon:
            return False  # its marks may be gone
        fenced, fence_settles = self._fence
        if fenced > ticket.sequence or fence_settles > now:
            return False
        for name in scope:
            mark = self._marks.get(name)
            if mark is not None and (mark.sequence > ticket.sequence or mark.settles > now):
                return False
        return True

    # --- dropping ------------------------------------------------------------------------------

    def invalidate(self, keys: Iterable[str]) -> None:
        """An event touched ``keys``: drop what showed them, and keep none of it while it settles."""
        self.sequence += 1
        now = self.clock()
        settles = now + self.settle_seconds
        names = {*keys, EVERYTHING}
        for name in names:
            mark = self._marks.get(name)
            if mark is None:
                mark = self._marks[name] = Mark(collections.deque(maxlen=MARK_HISTORY), settles, now)
            else:
                mark.settles, mark.marked = settles, now
                self._marks.move_to_end(name)
            mark.sequences.append(self.sequence)
            for key in self._index.pop(name, ()):
                entry = self._entries.pop(key, None)
                if entry is not None:
                    self.dropped += 1
                    self.forget(key, entry)
        self._prune(now)

    def fence(self, *, settle: bool = False) -> None:
        """A write went through this gateway: nothing read before now is kept, nor (``settle``:
        the write's read model is not known to show it yet) anything for ``settle_seconds``."""
        self.sequence += 1
        now = self.clock()
        self._fence = (self.sequence, now + self.settle_seconds if settle else 0.0)
        self.dropped += len(self._entries)
        self._entries.clear()
        self._index.clear()

    def _prune(self, now: float) -> None:
        while self._marks:
            name, mark = next(iter(self._marks.items()))
            if mark.settles > now or now - mark.marked <= self.horizon:
                return
            del self._marks[name]

    def evicted(self, key: bytes, entry: Entry) -> None:
        self.evictions += 1
        self.forget(key, entry)

    def forget(self, key: bytes, entry: Entry) -> None:
        for name in entry.keys:
            keys = self._index.get(name)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._index[name]

    # --- figures -------------------------------------------------------------------------------

    @property
    def entries(self) -> int:
        return len(self._entries)

    @property
    def bytes(self) -> int:
        return int(self._entries.currsize)

    def report_metrics(self, families: Families) -> None:
        """``tinhso_gateway_cache_*`` (``libs.common.prometheus_metrics``)."""
        counters = (
            ("hits", "Answers served from the response cache.", self.hits),
            ("misses", "Cacheable operations the response cache did not hold.", self.misses),
            ("shared", "Misses answered by an identical operation read meanwhile.", self.shared),
            ("evictions", "Answers let go to stay within the cache's entries or bytes.", self.evictions),
            ("invalidations", "Answers dropped by an event or a write that touched their scope.", self.dropped),
            ("refused", "Answers not kept: their scope changed or was settling while they were read.", self.refused),
        )
        for name, documentation, value in counters:
            families.counter(f"tinhso_gateway_cache_{name}", documentation).add_metric([], value)
        families.gauge("tinhso_gateway_cache_entries", "Answers the response cache holds.").add_metric([], self.entries)
        families.gauge("tinhso_gateway_cache_bytes", "JSON size of the answers the cache holds.").add_metric(
            [], self.bytes
        )
