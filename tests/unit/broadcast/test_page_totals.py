"""The total beside a keyset page of the broadcast lists (alerts, incidents, programmes)."""

from __future__ import annotations

from typing import Any

from services.broadcast.adapters.page_totals import page_total


class Counter:
    """A second count that finds a row the page's statement did not: one committed between."""

    def __init__(self, found: int) -> None:
        self.found = found
        self.asked = 0

    async def __call__(self) -> int:
        self.asked += 1
        return self.found


async def test_an_empty_first_page_is_an_empty_list_whatever_a_later_count_finds() -> None:
    """Failed before the fix (seen as ``test_rest_issues_once_per_key…`` in test_api_alerts
    failing now and then): an empty first page was counted again in a second statement, which
    could find the alert its projection committed a moment later, so the list answered a total
    of 1 beside no alerts, and a client polling for the total took the empty page."""
    later = Counter(found=1)
    assert await page_total([], None, later) == 0
    assert later.asked == 0


async def test_a_page_holds_its_total_in_each_row() -> None:
    later = Counter(found=99)
    rows: list[Any] = [{"total": 3}, {"total": 3}]
    assert await page_total(rows, None, later) == 3
    assert await page_total(rows, "cursor", later) == 3
    assert later.asked == 0


async def test_a_page_past_the_last_row_counts_the_list() -> None:
    later = Counter(found=4)
    assert await page_total([], "cursor", later) == 4
    assert later.asked == 1
