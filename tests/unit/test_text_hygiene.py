"""Free text and names: NFC, and no control, bidirectional or format characters.

The rule the registry applied to its own text, now in ``libs.common.text`` for every service
that stores a partner's words (registry, broadcast, metrics).
"""

from __future__ import annotations

import unicodedata

import pytest

from libs.common.errors import InvalidInputError
from libs.common.text import clean_name, clean_text

DECOMPOSED = unicodedata.normalize("NFD", "Tiếng nói Hà Tĩnh")

HIDDEN = [
    pytest.param("\u202e", id="right-to-left override"),
    pytest.param("\u2066", id="left-to-right isolate"),
    pytest.param("\u200f", id="right-to-left mark"),
    pytest.param("\u200b", id="zero width space"),
    pytest.param("\ufeff", id="byte order mark"),
    pytest.param("\x07", id="bell"),
    pytest.param("\x1b", id="escape"),
    pytest.param("\u2028", id="line separator"),
    pytest.param("\ue000", id="private use"),
]


def test_text_is_nfc_so_both_spellings_of_vietnamese_are_one_string() -> None:
    assert DECOMPOSED != "Tiếng nói Hà Tĩnh"
    assert clean_text(DECOMPOSED, field="note") == "Tiếng nói Hà Tĩnh"
    assert clean_name(DECOMPOSED) == "Tiếng nói Hà Tĩnh"


@pytest.mark.parametrize("hidden", HIDDEN)
def test_control_bidirectional_and_format_characters_are_refused_with_their_position(hidden: str) -> None:
    """Failed before the fix for the registry's free text: format (Cf) characters such as the
    right-to-left override were let through, so text could read differently from what it is."""
    with pytest.raises(InvalidInputError) as refused:
        clean_text(f"Phát sóng {hidden}lúc 6 giờ", field="note")
    assert refused.value.code == "invalid_text"
    assert refused.value.details == {"field": "note", "character": f"U+{ord(hidden):04X}", "position": 10}


def test_a_multi_line_text_keeps_its_newlines_and_tabs_but_a_name_refuses_them() -> None:
    """A name used to fold a newline into a space; it now refuses it (``invalid_name``), the
    rule the metrics catalogue and broadcast titles share; a line ending at either end is
    trimmed, as before."""
    assert clean_text("dòng 1\n\tdòng 2", field="message") == "dòng 1\n\tdòng 2"
    assert clean_name("  Xã Cẩm   Xuyên\r\n") == "Xã Cẩm Xuyên"
    for broken in ("Xã\nCẩm Xuyên", "Xã\tCẩm Xuyên"):
        with pytest.raises(InvalidInputError) as refused:
            clean_name(broken)
        assert refused.value.code == "invalid_name"
