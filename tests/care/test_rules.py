"""The phone number parser (what a person typed) and the due-date rule."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from famplan.care.rules import PhoneInvalid, due_on, last_visit_cutoff, parse_phone

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@given(st.text(alphabet="0123456789", min_size=7, max_size=12), st.booleans(), st.booleans())
def test_it_reads_digits_typed_in_any_width_with_separators(digits, wide, spaced):
    if len(digits) == 11 and digits[0] == "1" and digits[1] not in "3456789":
        return  # not a mobile number: refused, tested below
    typed = digits.translate(FULL_WIDTH) if wide else digits
    if spaced:
        typed = f" {typed[:3]}-{typed[3:]} "
    assert parse_phone(typed) == digits


@given(st.text(max_size=30))
def test_it_returns_ascii_digits_or_refuses_in_chinese(text):
    try:
        number = parse_phone(text)
    except PhoneInvalid as exc:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc))
    else:
        assert number.isascii() and number.isdigit() and 7 <= len(number) <= 12


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", "请填写"),
        ("12345", "7到12位"),
        ("13912345678９9", "7到12位"),
        ("139一二三", "只能含数字"),
        ("٣٣٣٣٣٣٣٣", "只能含数字"),
        ("12012345678", "手机号码"),
    ],
)
def test_it_refuses_what_is_not_a_phone_number(typed, reason):
    with pytest.raises(PhoneInvalid, match=reason):
        parse_phone(typed)


def test_it_drops_the_country_code():
    assert parse_phone("+86 139 1234 5678") == "13912345678"


def test_a_visit_is_due_an_interval_after_the_last_or_at_once():
    assert due_on(None, date(2026, 3, 1), 30) == date(2026, 3, 1)
    assert due_on(date(2026, 3, 1), date(2026, 1, 1), 30) == date(2026, 3, 31)
    assert last_visit_cutoff(date(2026, 3, 31), 30, 0) == date(2026, 3, 1)
