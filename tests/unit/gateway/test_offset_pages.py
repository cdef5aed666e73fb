"""Pages over a list a service answers whole: each item once across the pages, the total on
every page, and a cursor that is not one of these refused with a code."""

from __future__ import annotations

import pytest

from libs.common.errors import InvalidInputError
from services.gateway.graphql.offset_pages import offset_page


def test_following_the_end_cursor_visits_every_item_once() -> None:
    items = [f"u{i}" for i in range(7)]
    seen: list[str] = []
    after: str | None = None
    while True:
        page = offset_page(items, 3, after)
        assert page.total_count == 7
        seen += page.items
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert seen == items


def test_an_empty_list_has_no_end_cursor_and_no_next_page() -> None:
    page = offset_page(list[str](), 10, None)
    assert (page.items, page.end_cursor, page.has_next_page, page.total_count) == ([], None, False, 0)


@pytest.mark.parametrize("cursor", ["%%%", "b2Zmc2V0Oi0x", "WyIwNiIsICJ4Il0=", "bm90aGluZw=="])
def test_a_cursor_of_something_else_is_invalid_cursor(cursor: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        offset_page(["a"], 1, cursor)
    assert refused.value.code == "invalid_cursor"


@pytest.mark.parametrize("first", [0, 201])
def test_first_outside_the_bounds_is_a_validation_error(first: int) -> None:
    with pytest.raises(InvalidInputError) as refused:
        offset_page(["a"], first, None)
    assert refused.value.code == "validation"
