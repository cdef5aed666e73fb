"""Relay pages the gateway cuts from a whole list (``graphql/pages_listed.py``): each edge's
cursor pages on after it, the total is the list's, and a cursor it did not give out is a coded
error, not an internal one."""

from __future__ import annotations

import pytest

from libs.common.errors import InvalidInputError
from services.gateway.graphql.pages_listed import offset_cursor, page_of

ROWS = [f"incident-{n}" for n in range(7)]


def test_paging_on_from_each_end_cursor_visits_every_row_once_in_order() -> None:
    seen: list[str] = []
    after: str | None = None
    while True:
        page = page_of(ROWS, 3, after)
        assert page.total_count == len(ROWS)
        seen += [row for row, _ in page.items]
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == ROWS


def test_an_edges_own_cursor_pages_on_after_that_edge() -> None:
    first = page_of(ROWS, 5, None)
    _, third = first.items[2]
    assert [row for row, _ in page_of(ROWS, 2, third).items] == ROWS[3:5]


def test_a_cursor_past_the_end_is_an_empty_last_page() -> None:
    page = page_of(ROWS, 3, offset_cursor(len(ROWS) + 4))
    assert (page.items, page.has_next_page, page.end_cursor) == ([], False, None)


@pytest.mark.parametrize("cursor", ["not base64!", "b2Zmc2V0Oi0x", "eyJ4IjoxfQ=="])
def test_a_cursor_this_list_did_not_give_out_is_refused_with_a_code(cursor: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        page_of(ROWS, 3, cursor)
    assert refused.value.code == "invalid_cursor"
