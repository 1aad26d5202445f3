"""The one free-text check (common.text): control and format characters refused, names
made only of invisible characters refused, everything else kept as typed."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from famplan.common.text import _REFUSED, InvalidText, clean_text, validate_text

HARMLESS = {"\u200c", "\u200d"}  # zero-width non-joiner and joiner


def refusal(value: str) -> str:
    with pytest.raises(InvalidText) as caught:
        clean_text(value)
    return str(caught.value)


@pytest.mark.parametrize(
    "value", ["张秀英", "  王建国 ", "O'Brien", "阿依古丽·买买提", "👨\u200d👩\u200d👧", "东关1号"]
)
def test_it_keeps_ordinary_text(value):
    assert clean_text(value) == value.strip()


@pytest.mark.parametrize(
    ("value", "code"),
    [("张\x00伟", "0000"), ("\x01王", "0001"), ("李\x7f", "007F"), ("赵\x85六", "0085"),
     ("张\u200b伟", "200B"), ("\u202e伟张", "202E"), ("王\ufeff", "FEFF"), ("李\u2066芳", "2066"),
     ("芳\U000e0041", "E0041")],
)  # fmt: skip
def test_it_refuses_control_and_format_characters_naming_the_code_point(value, code):
    assert refusal(value) == f"含有不可见的控制字符（U+{code}），请删除后重新填写"


def test_it_refuses_line_breaks_and_tabs_inside_a_single_line():
    assert refusal("张\n伟") == "含有换行符或制表符，请改为一行"
    assert refusal("张\t伟") == "含有换行符或制表符，请改为一行"


@pytest.mark.parametrize(
    "value",
    ["\u200b", "\u200b\u200b\u3000", "\u3164", "\u2800\u2800", "\ufeff", "\u200d", "\ufe0f"],
)
def test_it_refuses_text_made_only_of_invisible_characters(value):
    assert refusal(value) == "不能只由空格或不可见字符组成"


def test_the_validator_speaks_for_forms():
    with pytest.raises(ValidationError) as caught:
        validate_text("张\x01")
    assert caught.value.messages == ["含有不可见的控制字符（U+0001），请删除后重新填写"]
    validate_text("张伟")


@pytest.mark.skipif(
    unicodedata.unidata_version != "14.0.0", reason="the list is written for Unicode 14"
)
def test_the_refused_list_is_every_control_and_format_character_but_the_harmless():
    expected = {
        chr(i)
        for i in range(sys.maxunicode + 1)
        if unicodedata.category(chr(i)) in ("Cc", "Cf", "Cs") or i in (0xFFFE, 0xFFFF)
    } - HARMLESS
    refused = {chr(i) for i in range(sys.maxunicode + 1) if _REFUSED.match(chr(i))}
    assert refused == expected


@given(st.text())
def test_it_raises_only_invalid_text_and_what_it_keeps_is_clean(value):
    try:
        kept = clean_text(value)
    except InvalidText:
        return
    assert clean_text(kept) == kept
    assert all(unicodedata.category(c) not in ("Cc", "Cf") or c in HARMLESS for c in kept), repr(
        kept
    )
