"""Citizen ID numbers (公民身份号码, GB 11643-1999): normalisation, validation, facts, masking.

Layout: 6-digit area code (GB/T 2260), 8-digit birth date, 3-digit sequence (odd for
men, even for women), 1 check character (ISO 7064 MOD 11-2, 'X' for 10). First-generation
numbers (GB 11643-1989, cards issued until 2004) have 15 digits: the year without its
"19" and no check character.

Every path that reads a typed or imported ID number (forms, search, imports, the API)
goes through `normalize` and `parse_id_number` here, so a full-width ４ or an Excel
apostrophe is handled the same everywhere.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from operator import mul
from pathlib import Path

from famplan.common import dates

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_DIGIT_OFFSET = ord("0") * sum(WEIGHTS)
_DATA = Path(__file__).parent / "data" / "area_codes.csv"


# Whitespace as str.isspace() knows it (U+3000 ideographic space and NBSP included), and
# the zero-width characters a copy from a web page or a chat message carries along.
_EDGE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
    "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
    "\u200b\u200c\u200d\u2060\ufeff"
)
# A leading apostrophe is how Excel users force a cell to text; it is not part of the number.
_LEADING = _EDGE + "'"
# Full-width forms (a Chinese input method in full-width mode) and lower-case x.
_TRANSLATE = str.maketrans(
    {chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "X", "x": "X", "＇": "'"}
)
_SHAPE_18 = re.compile(r"[0-9]{17}[0-9X]")
_SHAPE_15 = re.compile(r"[0-9]{15}")

FIRST_GENERATION_REFUSED = "这是15位的第一代身份证号，此处请填写18位身份证号"


class InvalidIdNumber(ValueError):
    """The message is Chinese and says what is wrong, for forms and import reports."""


@dataclass(frozen=True)
class IdFacts:
    area_code: str
    birth_date: date
    sex: str  # "M" or "F"
    number: str = ""  # the 18-character form (a 15-digit number converted)
    first_generation: bool = False  # the number given had 15 digits


@cache
def known_area_codes() -> frozenset[str]:
    with _DATA.open(encoding="utf-8") as f:
        return frozenset(row["code"] for row in csv.DictReader(f))


def check_char(first17: str) -> str:
    """The check character of 17 ASCII digits (ISO 7064 MOD 11-2). Works on the digits'
    bytes, without an int() per digit: it runs once per row of a big persons import."""
    total = sum(map(mul, WEIGHTS, first17.encode("ascii"))) - _DIGIT_OFFSET
    return CHECK_CHARS[total % 11]


def normalize(raw: str) -> str:
    """The number as typed, made canonical: full-width digits and Ｘ/x to ASCII, a leading
    Excel apostrophe and surrounding spaces (U+3000 and NBSP included) removed.

    Never raises and is idempotent; what it leaves non-standard (an Arabic-Indic or
    superscript digit, a letter) is for parse_id_number to refuse. Plain ASCII, nearly
    every cell of an import, takes the short way (one replace at most)."""
    if not raw.isascii():
        raw = raw.translate(_TRANSLATE)
    elif "x" in raw:
        raw = raw.replace("x", "X")
    return raw.lstrip(_LEADING).rstrip(_EDGE)


def upgrade_first_generation(value: str) -> str:
    """The 18-character form of a 15-digit number: "19" before the 2-digit year and the
    check character appended (first-generation cards were issued to people born 19xx)."""
    first17 = value[:6] + "19" + value[6:]
    return first17 + check_char(first17)


def parse_id_number(
    raw: str, *, today: date | None = None, first_generation: bool = False
) -> IdFacts:
    """Validate an ID number and return what it states. Raises InvalidIdNumber only.

    An 18-character number is checked in full. A 15-digit first-generation one is
    refused with its own message unless `first_generation` is set: it has no check
    character, so only a caller that compares its birth date and sex with the record
    it is entered on may accept it (the person services do); facts.number is then its
    18-character form, the one to store.

    The area code is checked down to the city (4 digits) against the current national
    list: county codes are renamed and retired over the decades, and an ID issued under
    a retired county code stays valid for life (the quality rules flag those instead).
    """
    value = normalize(raw)
    if not value.isascii():
        # str.isdigit() is True for ² and ٣, and int() accepts ٣: never let one through.
        for position, char in enumerate(value, start=1):
            if char.isnumeric() and not ("0" <= char <= "9"):
                raise InvalidIdNumber(
                    f"身份证号含有非标准数字“{char}”（第{position}位），请用半角数字0-9填写"
                )
    if len(value) == 15 and _SHAPE_15.fullmatch(value):
        if not first_generation:
            raise InvalidIdNumber(FIRST_GENERATION_REFUSED)
        return _parse_first_generation(value, today)
    if len(value) != 18:
        raise InvalidIdNumber(f"身份证号应为18位，实际为{len(value)}位")
    if not _SHAPE_18.fullmatch(value):
        raise InvalidIdNumber("身份证号前17位应为数字，最后一位应为数字或X")
    if value[17] != check_char(value[:17]):
        raise InvalidIdNumber("身份证号校验位错误")
    _check_area(value)
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"身份证号中的出生日期{value[6:14]}无效") from None
    _check_born(born, value[6:14], today)
    sex = "M" if int(value[16]) % 2 == 1 else "F"
    return IdFacts(area_code=value[:6], birth_date=born, sex=sex, number=value)


def _parse_first_generation(value: str, today: date | None) -> IdFacts:
    _check_area(value)
    try:
        born = date(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))
    except ValueError:
        raise InvalidIdNumber(f"15位身份证号中的出生日期{value[6:12]}无效") from None
    _check_born(born, f"{born:%Y%m%d}", today)
    sex = "M" if int(value[14]) % 2 == 1 else "F"
    return IdFacts(
        area_code=value[:6],
        birth_date=born,
        sex=sex,
        number=upgrade_first_generation(value),
        first_generation=True,
    )


def _check_area(value: str) -> None:
    codes = known_area_codes()
    if value[:2] not in codes or value[:4] not in codes:
        raise InvalidIdNumber(f"身份证号地址码{value[:6]}不存在")


# A day surely past wherever the server's clock is set (dates.today() is Beijing's):
# births before it need no look at the clock, which costs more than the rest of a check.
# (A test that moves dates.today() into the past must pass `today=` to see the check.)
_SURELY_PAST = date.today() - timedelta(days=2)


def _check_born(born: date, digits: str, today: date | None) -> None:
    if born < dates.EARLIEST_BIRTH_DATE:
        raise InvalidIdNumber(f"身份证号中的出生{dates.TOO_EARLY_MESSAGE}")
    if today is None and born <= _SURELY_PAST:
        return
    if born > (today or dates.today()):
        raise InvalidIdNumber(f"身份证号中的出生日期{digits}晚于今天")


def is_valid_id_number(raw: str) -> bool:
    try:
        parse_id_number(raw)
    except InvalidIdNumber:
        return False
    return True


def make_id_number(area_code: str, birth_date: date, sequence: int, sex: str) -> str:
    """Build a valid ID number (for synthetic data and tests). `sequence` is 0-499;
    the third sequence digit is made odd for men and even for women."""
    if not 0 <= sequence < 500:
        raise ValueError("sequence must be 0-499")
    seq = sequence * 2 + (1 if sex == "M" else 0)
    first17 = f"{area_code}{birth_date:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def mask_id_number(value: str | None) -> str:
    """6204**********123X: area code and last four only (PIPL minimum necessary)."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
