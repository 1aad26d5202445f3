"""GB 11643 ID numbers: normalisation, the 15-digit first generation, the earliest birth
date, and property tests over what people type (any Unicode)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from famplan.common.dates import EARLIEST_BIRTH_DATE, TOO_EARLY_MESSAGE
from famplan.common.idnumbers import (
    FIRST_GENERATION_REFUSED,
    InvalidIdNumber,
    check_char,
    make_id_number,
    normalize,
    parse_id_number,
    upgrade_first_generation,
)

TODAY = date(2026, 12, 1)
WOMAN_1990 = make_id_number("620422", date(1990, 5, 17), 12, "F")


def full_width(value: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in value)


def first_generation(number: str) -> str:
    """The 15-digit form of an 18-character number of someone born 19xx."""
    return number[:6] + number[8:17]


def refusal(raw: str, **kwargs) -> str:
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(raw, today=TODAY, **kwargs)
    return str(caught.value)


# --- normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        full_width(WOMAN_1990),
        "'" + WOMAN_1990,
        "＇" + WOMAN_1990,
        f"\u3000 {WOMAN_1990}\xa0\t",
        f" ' {WOMAN_1990} ",
        "\u200b" + WOMAN_1990 + "\ufeff",
        WOMAN_1990[:6] + full_width(WOMAN_1990[6:12]) + WOMAN_1990[12:],
    ],
)
def test_it_normalises_what_people_type_to_the_plain_number(typed):
    assert normalize(typed) == WOMAN_1990
    assert parse_id_number(typed, today=TODAY).number == WOMAN_1990


def test_it_reads_a_lower_case_and_a_full_width_x_as_x():
    first17 = "62042219800101006"
    assert check_char(first17) == "X", "the fixture must end in X"
    for last in ("x", "X", "ｘ", "Ｘ"):
        assert normalize(first17 + last) == first17 + "X"
        assert parse_id_number(first17 + last, today=TODAY).number == first17 + "X"


@pytest.mark.parametrize(
    ("odd", "name"),
    [("²", "superscript two"), ("٣", "Arabic-Indic three"), ("३", "Devanagari three"),
     ("𝟑", "mathematical bold three"), ("③", "circled three"), ("三", "CJK three")],
)  # fmt: skip
def test_it_refuses_a_non_standard_digit_by_name(odd, name):
    for value in (WOMAN_1990[:17] + odd, odd + WOMAN_1990[1:], WOMAN_1990[:10] + odd):
        message = refusal(value)
        assert message.startswith(f"身份证号含有非标准数字“{odd}”"), name
        assert "半角数字0-9" in message


def test_it_refuses_a_number_with_inner_spaces_or_letters_in_chinese():
    assert refusal(WOMAN_1990[:6] + " " + WOMAN_1990[6:]) == "身份证号应为18位，实际为19位"
    assert refusal(WOMAN_1990[:16] + "A" + WOMAN_1990[17]) == (
        "身份证号前17位应为数字，最后一位应为数字或X"
    )
    assert refusal("") == "身份证号应为18位，实际为0位"


# --- earliest birth date ----------------------------------------------------------------


def test_it_accepts_an_id_number_of_1880_and_refuses_one_before_the_earliest_date():
    old = make_id_number("620422", date(1880, 5, 17), 3, "F")
    assert parse_id_number(old, today=TODAY).birth_date == date(1880, 5, 17)
    assert parse_id_number(make_id_number("620422", EARLIEST_BIRTH_DATE, 1, "M")).sex == "M"
    too_old = make_id_number("620422", date(1849, 12, 31), 3, "F")
    assert refusal(too_old) == f"身份证号中的出生{TOO_EARLY_MESSAGE}"
    assert TOO_EARLY_MESSAGE == "日期早于1850-01-01，请核对"


def test_it_refuses_a_birth_date_after_today():
    tomorrow = make_id_number("620422", date(2026, 12, 2), 3, "F")
    assert refusal(tomorrow) == "身份证号中的出生日期20261202晚于今天"


# --- first generation (15 digits) --------------------------------------------------------


def test_it_refuses_a_15_digit_number_with_its_own_message_unless_asked():
    old = first_generation(WOMAN_1990)
    assert refusal(old) == FIRST_GENERATION_REFUSED
    facts = parse_id_number(old, today=TODAY, first_generation=True)
    assert facts.first_generation and facts.number == WOMAN_1990
    assert (facts.birth_date, facts.sex, facts.area_code) == (date(1990, 5, 17), "F", "620422")
    assert upgrade_first_generation(old) == WOMAN_1990


def test_it_checks_a_15_digit_numbers_area_and_date():
    assert refusal("620422900230123", first_generation=True) == (
        "15位身份证号中的出生日期900230无效"
    )
    assert refusal("990422900101123", first_generation=True) == "身份证号地址码990422不存在"
    # 15 characters that are not all digits are simply of the wrong length.
    assert refusal("62042290010112X", first_generation=True) == "身份证号应为18位，实际为15位"


# --- property tests -----------------------------------------------------------------------

ASCII_DIGITS = st.sampled_from("0123456789")
FULL_WIDTH_DIGITS = st.sampled_from("０１２３４５６７８９")
OTHER_DIGITS = st.characters(categories=["Nd", "No", "Nl"]).filter(lambda c: not c.isascii())
NOISE = st.sampled_from(["X", "x", "Ｘ", "ｘ", "'", "＇", " ", "\u3000", "\xa0", "\t", "\u200b"])
TYPED = st.lists(
    st.one_of(ASCII_DIGITS, ASCII_DIGITS, ASCII_DIGITS, FULL_WIDTH_DIGITS, OTHER_DIGITS, NOISE),
    max_size=22,
).map("".join)
AREAS = st.sampled_from(["620422", "620102", "110101", "440305", "650102", "540102"])
BORN = st.dates(min_value=EARLIEST_BIRTH_DATE, max_value=TODAY)
VALID = st.builds(make_id_number, AREAS, BORN, st.integers(0, 499), st.sampled_from("MF"))


def _parse_only_refuses(value: str) -> None:
    for first in (False, True):
        try:
            facts = parse_id_number(value, today=TODAY, first_generation=first)
        except InvalidIdNumber as exc:
            assert str(exc).startswith(("身份证号", "这是15位", "15位"))
            continue
        number = facts.number
        assert len(number) == 18 and number.isascii() and number[:17].isdigit()
        assert number[17] == check_char(number[:17])
        assert EARLIEST_BIRTH_DATE <= facts.birth_date <= TODAY


@given(st.text())
def test_the_validator_raises_only_invalid_id_number_on_any_text(value):
    _parse_only_refuses(value)


@given(TYPED)
def test_the_validator_raises_only_invalid_id_number_on_digits_of_every_script(value):
    _parse_only_refuses(value)


@given(st.one_of(st.text(), TYPED))
def test_normalisation_is_idempotent(value):
    once = normalize(value)
    assert normalize(once) == once


@given(VALID, st.sampled_from(["", "'", " ", "\u3000", "\xa0", "＇"]), st.booleans())
def test_every_valid_number_survives_its_full_width_form(number, prefix, lower):
    typed = prefix + full_width(number.lower() if lower else number) + prefix.strip("'＇")
    assert normalize(typed) == number
    assert parse_id_number(typed, today=TODAY).number == number


@given(VALID)
def test_a_first_generation_number_converts_to_the_18_character_one(number):
    assume(number[6:8] == "19")
    modern = parse_id_number(number, today=TODAY)
    old = parse_id_number(first_generation(number), today=TODAY, first_generation=True)
    assert old.number == number and old.first_generation
    assert (old.area_code, old.birth_date, old.sex) == (
        modern.area_code,
        modern.birth_date,
        modern.sex,
    )


def test_it_refuses_a_birth_after_the_real_today_and_takes_one_of_today():
    from datetime import timedelta

    from famplan.common import dates

    today = dates.today()
    assert parse_id_number(make_id_number("620422", today, 3, "F")).birth_date == today
    with pytest.raises(InvalidIdNumber, match="晚于今天"):
        parse_id_number(make_id_number("620422", today + timedelta(days=1), 3, "F"))
