"""The response cache's store: what drops an answer, what keeps one from being stored, and its
bounds (ADR 0048). Time is a hand-moved clock."""

from __future__ import annotations

from services.gateway.cache.answers import ENTRY_OVERHEAD_BYTES, MARK_HISTORY, AnswerCache
from services.gateway.cache.scope import EVERYTHING, event_keys, read_keys, write_keys
from services.gateway.events.directory import UnitDirectory


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def cache(clock: Clock, **bounds: int) -> AnswerCache:
    return AnswerCache(
        max_entries=bounds.get("entries", 100),
        max_bytes=bounds.get("bytes", 1 << 20),
        ttl_seconds=30.0,
        settle_seconds=2.0,
        clock=clock,
    )


def directory() -> UnitDirectory:
    units = UnitDirectory()
    for unit_id, code, parent in [("p", "06", None), ("d", "061", "p"), ("c", "06101", "d"), ("d2", "062", "p")]:
        units.apply("registry.unit_registered", {"unit_id": unit_id, "code": code, "parent_id": parent})
    units.apply("registry.radio_station_registered", {"station_id": "s", "unit_id": "c"})
    units.apply("registry.speaker_cluster_registered", {"cluster_id": "k", "station_id": "s", "village_id": "c"})
    return units


def test_a_read_that_started_before_an_invalidation_of_its_scope_does_not_keep_its_answer() -> None:
    clock = Clock()
    answers = cache(clock)
    ticket = answers.ticket()
    clock.now += 10  # long after the event has settled
    answers.invalidate({"k"})
    clock.now += 10

    assert not answers.put(b"q", {"signal": "UP"}, {"k"}, ticket)
    assert answers.get(b"q") is None
    # A read that starts after it is kept.
    assert answers.put(b"q", {"signal": "DOWN"}, {"k"}, answers.ticket())
    assert answers.get(b"q") == {"signal": "DOWN"}


def test_an_event_drops_the_answers_that_show_what_it_touches_and_no_others() -> None:
    clock = Clock()
    answers = cache(clock)
    answers.put(b"district-061", {"n": 1}, {"d", "061", "c"}, answers.ticket())
    answers.put(b"district-062", {"n": 2}, {"d2", "062"}, answers.ticket())
    answers.put(b"everything", {"n": 3}, set(), answers.ticket())

    answers.invalidate({"c"})

    assert answers.get(b"district-061") is None
    assert answers.get(b"district-062") == {"n": 2}
    assert answers.get(b"everything") is None  # no key bounds it: any event drops it


def test_an_answer_read_while_its_scope_settles_is_served_but_not_kept() -> None:
    clock = Clock()
    answers = cache(clock)
    answers.invalidate({"c"})
    clock.now += 1.0

    assert not answers.put(b"q", {"n": 1}, {"c"}, answers.ticket())
    assert answers.put(b"other", {"n": 1}, {"d2"}, answers.ticket())
    clock.now += 1.5
    assert answers.put(b"q", {"n": 1}, {"c"}, answers.ticket())


def test_those_who_waited_take_a_settling_answer_but_not_one_whose_scope_changed_before_they_came() -> None:
    """Failed before the change: a flight's answer refused for settling reached none of its
    waiters, so a burst of identical queries behind a settling scope read once per caller."""
    clock = Clock()
    answers = cache(clock)
    answers.invalidate({"c"})
    clock.now += 1.0  # "c" settles: the answer is not kept, but it is as fresh as any read now

    began = answers.ticket()
    settling = answers.landed({"n": 1}, {"c"}, began)
    assert not answers.put(b"q", settling.data, settling.keys, settling.ticket)
    assert answers.share(settling, arrived=answers.ticket()) == {"n": 1}

    came_before = answers.ticket()
    answers.invalidate({"c"})  # after the flight began; a write its late waiters must see
    came_after = answers.ticket()
    assert answers.share(answers.landed({"n": 1}, {"c"}, began), came_before) == {"n": 1}
    assert answers.share(answers.landed({"n": 1}, {"c"}, began), came_after) is None
    assert answers.share(answers.landed({"n": 2}, {"d2"}, began), came_after) == {"n": 2}

    # A flight that began after the waiter came: changes while it is read are concurrent.
    began_later = answers.ticket()
    answers.invalidate({"c"})
    answers.invalidate({"c"})
    assert answers.share(answers.landed({"n": 3}, {"c"}, began_later), came_after) == {"n": 3}
    assert answers.share(answers.landed({"n": 1}, {"c"}, began), came_before) == {"n": 1}

    # Past MARK_HISTORY later changes, whether one came before the waiter is not known: not shared.
    flight = answers.ticket()
    answers.invalidate({"d2"})
    waiter = answers.ticket()
    assert answers.share(answers.landed({"n": 4}, {"c"}, flight), waiter) == {"n": 4}
    for _ in range(MARK_HISTORY):
        answers.invalidate({"c"})
    assert answers.share(answers.landed({"n": 4}, {"c"}, flight), waiter) is None
    answers.fence()
    assert answers.share(answers.landed({"n": 2}, {"d2"}, began), came_after) is None
    assert answers.share(None, came_after) is None
    assert answers.shared == 6


def test_a_fence_drops_everything_and_refuses_reads_that_started_before_it() -> None:
    clock = Clock()
    answers = cache(clock)
    before = answers.ticket()
    answers.put(b"a", {"n": 1}, {"c"}, before)

    answers.fence()

    assert answers.get(b"a") is None
    assert not answers.put(b"b", {"n": 1}, {"d2"}, before)
    assert answers.put(b"b", {"n": 1}, {"d2"}, answers.ticket())


def test_the_cache_holds_at_most_its_entries_and_bytes_and_counts_what_it_lets_go() -> None:
    clock = Clock()
    answers = cache(clock, entries=2)
    for name in (b"a", b"b", b"c"):
        answers.put(name, {"n": 1}, {name.decode()}, answers.ticket())
    assert answers.entries == 2
    assert answers.get(b"a") is None
    assert answers.evictions == 1

    small = cache(clock, bytes=3 * ENTRY_OVERHEAD_BYTES)
    for name in (b"a", b"b", b"c", b"d"):
        small.put(name, {"n": 1}, {name.decode()}, small.ticket())
    assert small.bytes <= 3 * ENTRY_OVERHEAD_BYTES
    assert small.evictions >= 2
    # The index forgets what was let go: an event on an evicted answer's key drops nothing more.
    small.invalidate({"a"})
    assert small.dropped == 0


def test_an_answer_expires_after_its_ttl() -> None:
    clock = Clock()
    answers = cache(clock)
    answers.put(b"q", {"n": 1}, {"c"}, answers.ticket())
    clock.now += 31
    assert answers.get(b"q") is None


def test_an_event_touches_its_units_ancestors_by_id_and_by_code_and_the_unit_of_the_asset_it_names() -> None:
    keys = event_keys("signal-k", {"cluster_id": "k", "observed_at": "2023-01-01"}, directory())
    assert {"signal-k", "k", "c", "06101", "d", "061", "p", "06"} <= keys
    assert "062" not in keys
    assert "2023-01-01" not in keys


def test_a_read_is_scoped_by_the_keys_it_asked_for_and_got_back_but_not_by_parent_references() -> None:
    answer = [{"unit_id": "c", "code": "06101", "parent_id": "d", "name": "Xã"}]
    assert read_keys({"parent_code": "061", "level": "commune"}, None, answer) == {"061", "c", "06101"}
    assert read_keys(None, b'{"cluster_ids": ["k"]}', []) == {"k"}
    assert read_keys({"level": "commune", "first": "50"}, None, answer) == {EVERYTHING}


def test_a_command_touches_the_keys_of_its_body_and_their_ancestors_and_one_without_keys_anything() -> None:
    units = directory()
    keys = write_keys("/commands/units/register", b'{"code": "06109", "parent_code": "06101"}', units)
    assert keys is not None
    assert {"06109", "06101", "c", "061", "d", "06"} <= keys
    assert write_keys("/commands/signal/configure", b'{"silence_threshold_seconds": 60}', units) is None
    assert write_keys("/commands/import", b"code,name\n", units) is None
