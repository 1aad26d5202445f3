"""Manual data elements: figures no record holds (publicity visits, survey results),
entered per village and month through a form and stored in the values table beside the
computed measures, summed into longer periods and higher units as they are entered.

The rules live here once (`parse_count`, `check_elements`): the form and any later
import or API call them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from famplan.common.errors import DomainError
from famplan.indicators.periods import month_first_day, month_index

# Larger than any village's figure for a month, small enough to catch a pasted ID number.
MAX_COUNT = 1_000_000


@dataclass(frozen=True)
class Element:
    code: str
    label: str
    unit_label: str  # 户, 人
    # The element it may not exceed ("" for none): the people surveyed bound those aware.
    denominator: str = ""
    # Bounded by the village's households (publicity reaches at most every household once
    # a month).
    by_households: bool = False


ELEMENTS: dict[str, Element] = {
    e.code: e
    for e in [
        Element("publicity_households", "宣传入户数", "户", by_households=True),
        Element("awareness_surveyed", "政策知晓率调查人数", "人"),
        Element("awareness_aware", "知晓人数", "人", denominator="awareness_surveyed"),
        Element("satisfaction_surveyed", "满意度调查人数", "人"),
        Element("satisfaction_satisfied", "满意人数", "人", denominator="satisfaction_surveyed"),
    ]
}


class ElementError(DomainError):
    """A refused figure, naming the element (the form field) the message is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def parse_count(field: str, raw: object) -> int | None:
    """A count as typed: blank is None (nothing entered); full-width digits and
    thousands separators are accepted; anything else is an ElementError in Chinese."""
    label = ELEMENTS[field].label if field in ELEMENTS else field
    if raw is None:
        return None
    if isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    else:
        text = unicodedata.normalize("NFKC", str(raw)).strip().replace(",", "")
    if text == "":
        return None
    if text[0] in "-−" and text[1:].isascii() and text[1:].isdigit():
        raise ElementError(field, f"{label}不能为负数")
    if not (text.isascii() and text.isdigit()):
        raise ElementError(field, f"{label}应为整数，例如 120")
    number = int(text)
    if number > MAX_COUNT:
        raise ElementError(field, f"{label}{number}过大，请核对")
    return number


def check_month(month: date, today: date) -> date:
    """The first day of the month entered for; a month after the current one is refused."""
    first = month_first_day(month_index(month))
    if month_index(first) > month_index(today):
        raise ElementError("month", f"不能填报未来月份（{first.year}年{first.month}月）的数据")
    return first


def check_elements(
    values: Mapping[str, int | None], *, households: int, label: str = ""
) -> dict[str, int | None]:
    """The month's figures of one village as they will stand (None: not entered): every
    one a non-negative count, none over its denominator. Returns them or raises."""
    checked: dict[str, int | None] = {}
    for code in ELEMENTS:
        checked[code] = parse_count(code, values.get(code))
    for code, element in ELEMENTS.items():
        value = checked[code]
        if value is None:
            continue
        if element.denominator:
            bound = checked[element.denominator]
            bound_label = ELEMENTS[element.denominator].label
            if bound is None:
                raise ElementError(code, f"填写{element.label}时请同时填写{bound_label}")
            if value > bound:
                raise ElementError(
                    code, f"{element.label}（{value}）不能多于{bound_label}（{bound}）"
                )
        if element.by_households and value > households:
            where = f"{label}" if label else "本村"
            raise ElementError(
                code, f"{element.label}（{value}）不能多于{where}在册户数（{households}）"
            )
    return checked
