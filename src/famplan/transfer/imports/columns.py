"""Declarative import columns and the clean steps that turn a cell into a value.

A clean step takes the raw cell as the reader hands it over (str from CSV; str, float,
bool, date or datetime from .xlsx) and returns the value, or raises CellInvalid with a
Chinese reason. Empty cells never reach a clean step: the framework handles them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from famplan.common import dates
from famplan.common.idnumbers import InvalidIdNumber, normalize, parse_id_number
from famplan.common.text import InvalidText, clean_text

Cleaner = Callable[[Any], Any]

# Excel counts days from 1899-12-30 (its 1900 leap-year bug included, for dates after
# 1900-02-28). Excel has no dates before 1900: older ones arrive as text or 18800517.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_EARLIEST = dates.EARLIEST_BIRTH_DATE
_EARLIEST_DIGITS = int(f"{_EARLIEST:%Y%m%d}")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_PHONE = re.compile(r"^[0-9+\-() ]{3,20}$")


class CellInvalid(ValueError):
    """A cell's value is unusable; the message says why, in Chinese."""


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """The cell as the user sees it: whole numbers without '.0', dates as yyyy-mm-dd."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def text(max_length: int = 100) -> Cleaner:
    """Free text, checked by common.text.clean_text like every form's text field."""

    def clean(value: Any) -> str:
        try:
            result = clean_text(as_text(value))
        except InvalidText as exc:
            raise CellInvalid(str(exc)) from None
        if len(result) > max_length:
            raise CellInvalid(f"不能超过{max_length}个字")
        return result

    return clean


def phone() -> Cleaner:
    def clean(value: Any) -> str:
        result = as_text(value)
        if not _PHONE.match(result):
            raise CellInvalid("电话号码格式不正确")
        return result

    return clean


def integer(minimum: int, maximum: int, reason: str) -> Cleaner:
    def clean(value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            raw = as_text(value)
            if not (raw.isascii() and raw.isdigit()):  # int() refuses ², accepts ٣
                raise CellInvalid("应为整数")
            number = int(raw)
        if not minimum <= number <= maximum:
            raise CellInvalid(reason)
        return number

    return clean


def _date_from_parts(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellInvalid(f"日期{year}-{month:02d}-{day:02d}不存在") from None


def parse_date(value: Any) -> dt.date:
    """A date from an Excel date cell, an Excel serial number, 20240315, or text such as
    2024-03-15, 2024/3/15, 2024.3.15 and 2024年3月15日 (a trailing 00:00:00 is ignored)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and _EARLIEST_DIGITS <= value <= 29991231:
            digits = str(int(value))
            return _date_from_parts(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        if 1 <= value < 2958466:  # a date cell Excel lost the format of
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise CellInvalid("日期格式无法识别，请填写如 2024-03-15 的日期")
    raw = as_text(value)
    raw = raw.split(" ", 1)[0].split("T", 1)[0] if ":" in raw else raw
    match = _DATE_TEXT.match(raw) or _DATE_DIGITS.match(raw)
    if not match:
        raise CellInvalid("日期格式无法识别，请填写如 2024-03-15 的日期")
    return _date_from_parts(*(int(g) for g in match.groups()))


def date(*, not_future: bool = True) -> Cleaner:
    def clean(value: Any) -> dt.date:
        day = parse_date(value)
        if day < _EARLIEST:
            raise CellInvalid(dates.TOO_EARLY_MESSAGE)
        if not_future and day > dates.today_cached():
            raise CellInvalid("日期不能晚于今天")
        return day

    return clean


def choice(choices: Iterable[tuple[str, str]], aliases: dict[str, str] | None = None) -> Cleaner:
    """A coded value chosen by its Chinese label (the code itself is accepted too)."""
    pairs = list(choices)
    lookup = {label: value for value, label in pairs} | {value: value for value, _ in pairs}
    lookup |= aliases or {}
    allowed = "、".join(label for _, label in pairs)

    def clean(value: Any) -> str:
        raw = as_text(value)
        try:
            return lookup[raw]
        except KeyError:
            raise CellInvalid(f"应为以下之一：{allowed}") from None

    clean.allowed = allowed  # shown in the template's notes
    return clean


def id_number(*, check: bool = True) -> Cleaner:
    """A citizen ID number, normalised and checked by famplan.common.idnumbers (GB 11643).

    check=True (a number that finds a person) refuses a 15-digit first-generation number
    with its own message. check=False is the person's own number on a persons row: the
    full check is left to check_person_facts, which parses it anyway (parsing is the
    costliest step of a big persons file) and compares its birth date and sex with the
    row's, so a 15-digit number is converted to its 18-character form here."""

    def clean(value: Any) -> str:
        if isinstance(value, float | int) and not isinstance(value, bool):
            # 18 digits do not fit a spreadsheet number: the last ones are already lost.
            raise CellInvalid("身份证号被存成了数字，末几位已丢失；请把该列设为文本后重新填写")
        raw = normalize(as_text(value))
        if check or len(raw) != 18 or not raw.isascii():
            # Anything but a plain 18-character value (rare) is parsed now, so that
            # a ² or a 15-digit number gets its own message.
            try:
                facts = parse_id_number(raw, first_generation=not check)
            except InvalidIdNumber as exc:
                raise CellInvalid(str(exc)) from None
            return facts.number
        return raw

    return clean


@dataclass(frozen=True)
class Column:
    """One column of an import template: its Chinese header, the field it fills, and how."""

    header: str
    field: str
    required: bool = False
    clean: Cleaner = field(default_factory=text)
    note: str = ""
    sample: Any = ""
    width: float = 14
    as_text: bool = False  # the template formats the column as text (IDs, codes, phones)
    empty: Any = ""  # the value of a blank optional cell

    @property
    def allowed(self) -> str:
        return getattr(self.clean, "allowed", "")
