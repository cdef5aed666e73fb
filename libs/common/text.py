"""Text a partner sends, as every service stores it: NFC, with no invisible characters.

Vietnamese arrives both precomposed and decomposed (``ể`` as one code point or as ``e`` plus
two marks); NFC makes the two spellings one string, so equality, uniqueness and search work.
Control, format and bidirectional characters (a right-to-left override, a zero-width space, a
terminal escape) make text read differently from what it is, on a screen, in a log or on a
station's display, so they are refused rather than stripped: the sender learns which one.
"""

from __future__ import annotations

import unicodedata

from libs.common.errors import InvalidInputError

MAX_NAME = 200
MAX_TEXT = 2000

# Cc control, Cf format (every bidirectional control is one: U+200E/F, U+202A-E, U+2066-9,
# U+061C), Cs surrogate, Co private use, Cn unassigned, Zl/Zp the line and paragraph separators.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_LINE_BREAKS = frozenset("\n\t")


def refuse_hidden_characters(text: str, *, field: str, multiline: bool = True, code: str = "invalid_text") -> None:
    """Raise for the first control, format or bidirectional character; a multi-line text may
    hold newlines and tabs."""
    for position, ch in enumerate(text):
        if unicodedata.category(ch) in _HIDDEN and not (multiline and ch in _LINE_BREAKS):
            raise InvalidInputError(
                f"{field} contains a control, format or bidirectional character (U+{ord(ch):04X})",
                code=code,
                details={"field": field, "character": f"U+{ord(ch):04X}", "position": position},
            )


def clean_name(raw: str, *, field: str = "name", max_length: int = MAX_NAME) -> str:
    """A one-line label (a name, a title, a unit of measure): NFC-normalised, trimmed,
    single-spaced; refuses empty names, line breaks and hidden characters (``invalid_name``).
    The trimmed text is checked before spaces are collapsed: a newline or a tab inside a name
    is refused, not quietly turned into a space (one at either end is trimmed, as a file's line
    ending is)."""
    trimmed = unicodedata.normalize("NFC", raw).strip()
    refuse_hidden_characters(trimmed, field=field, multiline=False, code="invalid_name")
    name = " ".join(trimmed.split())
    if not name:
        raise InvalidInputError(f"{field} is empty", code="invalid_name", details={"field": field})
    if len(name) > max_length:
        raise InvalidInputError(
            f"{field} is longer than {max_length} characters", code="invalid_name", details={"field": field}
        )
    return name


def clean_text(raw: str | None, *, field: str, max_length: int = MAX_TEXT, required: bool = False) -> str | None:
    """Free text (a reason, a summary, a note): NFC, trimmed, newlines and tabs kept; blank
    means absent, or is refused with ``missing_field`` when ``required``."""
    text = unicodedata.normalize("NFC", raw).strip() if raw is not None else None
    if not text:
        if required:
            raise InvalidInputError(f"{field} must not be empty", code="missing_field", details={"field": field})
        return None
    if len(text) > max_length:
        raise InvalidInputError(
            f"{field} is longer than {max_length} characters", code="invalid_text", details={"field": field}
        )
    refuse_hidden_characters(text, field=field)
    return text
