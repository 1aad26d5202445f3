"""Statistical periods: months, quarters, half-years and years, each named by its first day.

Measures are computed per month (a month is `year * 12 + month - 1`, an integer that
orders and subtracts); the longer periods are derived from their months.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models


class PeriodType(models.TextChoices):
    MONTH = "month", "月"
    QUARTER = "quarter", "季度"
    HALF = "half", "半年"
    YEAR = "year", "年"


# Months in each period type; a period starts on a month index divisible by it.
MONTHS_IN = {PeriodType.MONTH: 1, PeriodType.QUARTER: 3, PeriodType.HALF: 6, PeriodType.YEAR: 12}


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_first_day(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    type: str
    start: date

    @property
    def first_month(self) -> int:
        return month_index(self.start)

    @property
    def last_month(self) -> int:
        return self.first_month + MONTHS_IN[PeriodType(self.type)] - 1

    @property
    def end(self) -> date:
        """The last day of the period."""
        return month_first_day(self.last_month + 1) - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        y, m = self.start.year, self.start.month
        if self.type == PeriodType.MONTH:
            return f"{y}年{m}月"
        if self.type == PeriodType.QUARTER:
            return f"{y}年第{(m - 1) // 3 + 1}季度"
        if self.type == PeriodType.HALF:
            return f"{y}年{'上' if m == 1 else '下'}半年"
        return f"{y}年"


def period_of(period_type: str, month: int) -> Period:
    """The period of `period_type` that holds month index `month`."""
    size = MONTHS_IN[PeriodType(period_type)]
    # year * 12 is divisible by 3, 6 and 12, so periods start where month % size == 0.
    return Period(period_type, month_first_day(month - month % size))


def year_period(year: int) -> Period:
    return Period(PeriodType.YEAR, date(year, 1, 1))


def month_period(day: date) -> Period:
    return Period(PeriodType.MONTH, day.replace(day=1))


def periods_of_year(year: int) -> list[Period]:
    """The 19 periods of a calendar year: 12 months, 4 quarters, 2 halves, the year."""
    first = year * 12
    found = []
    for period_type, size in MONTHS_IN.items():
        for month in range(first, first + 12, size):
            found.append(Period(period_type, month_first_day(month)))
    return found
