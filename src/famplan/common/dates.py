"""Date arithmetic the domain uses in many places, and the one `today()`."""

from __future__ import annotations

import time
from datetime import date

from django.utils import timezone

# The earliest birth date famplan accepts, and so the earliest date of any registry
# event (nobody's life starts before their birth). The oldest verified people were born
# in the 1870s and valid ID numbers of 1880 exist: 1900 refused real people. One
# constant for every path (ID numbers, forms, services, imports); docs/decisions.md.
EARLIEST_BIRTH_DATE = date(1850, 1, 1)
# The one refusal of a date before it, shown the same by forms, services and imports.
TOO_EARLY_MESSAGE = f"日期早于{EARLIEST_BIRTH_DATE:%Y-%m-%d}，请核对"


def today() -> date:
    """Today in the configured time zone (TIME_ZONE, Beijing by default).

    The only "today" in famplan: `date.today()` is the server's local date, which on a
    UTC server is still yesterday before 08:00 Beijing time."""
    return timezone.localdate()


_today_cache: list = [date.min, 0.0, None]


def today_cached() -> date:
    """today(), read from the clock at most once a second: imports ask once a cell or a
    row, and the time zone conversion behind it costs more than the check itself.
    (A `today` replaced in a test is asked at once: the cache remembers whose it is.)"""
    now = time.monotonic()
    if now - _today_cache[1] > 1 or _today_cache[2] is not today:
        _today_cache[:] = [today(), now, today]
    return _today_cache[0]


def age_on(born: date, day: date) -> int:
    """Completed years of age on `day` for someone born on `born`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
