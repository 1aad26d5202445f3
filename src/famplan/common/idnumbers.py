"""Citizen ID numbers (公民身份号码, GB 11643-1999): validation, facts, masking.

Layout: 6-digit area code (GB/T 2260), 8-digit birth date, 3-digit sequence (odd for
men, even for women), 1 check character (ISO 7064 MOD 11-2, 'X' for 10).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from famplan.common import dates

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_DATA = Path(__file__).parent / "data" / "area_codes.csv"


class InvalidIdNumber(ValueError):
    """The message is Chinese and says what is wrong, for forms and import reports."""


@dataclass(frozen=True)
class IdFacts:
    area_code: str
    birth_date: date
    sex: str  # "M" or "F"


@cache
def known_area_codes() -> frozenset[str]:
    with _DATA.open(encoding="utf-8") as f:
        return frozenset(row["code"] for row in csv.DictReader(f))


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(raw: str) -> str:
    return raw.strip().upper()


def parse_id_number(raw: str, *, today: date | None = None) -> IdFacts:
    """Validate an 18-character ID number and return what it states. Raises InvalidIdNumber.

    The area code is checked down to the city (4 digits) against the current national
    list: county codes are renamed and retired over the decades, and an ID issued under
    a retired county code stays valid for life (the quality rules flag those instead).
    """
    value = normalize(raw)
    if len(value) != 18:
        raise InvalidIdNumber(f"身份证号应为18位，实际为{len(value)}位")
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise InvalidIdNumber("身份证号前17位应为数字，最后一位应为数字或X")
    if value[17] != check_char(value[:17]):
        raise InvalidIdNumber("身份证号校验位错误")
    codes = known_area_codes()
    if value[:2] not in codes or value[:4] not in codes:
        raise InvalidIdNumber(f"身份证号地址码{value[:6]}不存在")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise InvalidIdNumber(f"身份证号中的出生日期{value[6:14]}无效") from None
    if born.year < 1900 or born > (today or dates.today()):
        raise InvalidIdNumber(f"身份证号中的出生日期{value[6:14]}不合理")
    sex = "M" if int(value[16]) % 2 == 1 else "F"
    return IdFacts(area_code=value[:6], birth_date=born, sex=sex)


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
