"""The one check of free text a person typed or imported: no control characters, and
not made only of invisible ones. Forms (as a validator) and imports (the text cleaner)
both call `clean_text`, so a name refused on one path is refused on the other."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# Refused: every control (Cc) and format (Cf) character of Unicode 14, surrogates and the
# two XML-illegal noncharacters, except the harmless zero-width non-joiner and joiner
# (U+200C, U+200D), which some scripts and emoji need to render right. They include
# NUL (PostgreSQL cannot store it), bidi overrides (U+202E shows a name backwards) and
# zero-width spaces (a name that looks right but never matches a search). Tab and line
# breaks are refused too: every famplan text field is a single line.
# tests/common/test_text.py compares this list with unicodedata of the running Python.
_REFUSED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\ufffe\uffff\ud800-\udfff"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
# Characters that show nothing: whitespace, format characters, and the fillers people
# use for "blank" names (Hangul fillers U+115F U+1160 U+3164 U+FFA0, braille blank U+2800,
# combining grapheme joiner, Khmer invisible vowels, variation selectors).
_INVISIBLE_ONLY = re.compile(
    r"[\s\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    r"\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff]*"
)

# The characters above that are printable (str.isprintable): fillers and invisible marks.
_PRINTABLE_INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180f\u2800\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


class InvalidText(ValueError):
    """The message is Chinese and says what is wrong, for forms and import reports."""


def _describe(char: str) -> str:
    if char in "\t\n\r":
        return "换行符或制表符，请改为一行"
    return f"不可见的控制字符（U+{ord(char):04X}），请删除后重新填写"


def clean_text(value: str) -> str:
    """`value` without surrounding whitespace, or InvalidText saying what is wrong."""
    value = value.strip()
    # isprintable() (one C loop) is False for every Cc, Cf and Cs character, and for
    # whitespace but the ASCII space: nearly every value passes here at once.
    if value.isprintable() and (
        value.isascii()
        or value[0] not in _PRINTABLE_INVISIBLE
        or not _INVISIBLE_ONLY.fullmatch(value)
    ):
        return value
    if _INVISIBLE_ONLY.fullmatch(value):
        raise InvalidText("不能只由空格或不可见字符组成")
    found = _REFUSED.search(value)
    if found:
        raise InvalidText(f"含有{_describe(found.group())}")
    return value


def validate_text(value: str) -> None:
    """clean_text as a Django validator, for every free-text form field."""
    try:
        clean_text(value)
    except InvalidText as exc:
        raise ValidationError(str(exc), code="invalid_text") from None
