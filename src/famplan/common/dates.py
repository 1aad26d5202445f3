"""Date arithmetic the domain uses in many places, and the one `today()`."""

from __future__ import annotations

from datetime import date

from django.utils import timezone


def today() -> date:
    """Today in the configured time zone (TIME_ZONE, Beijing by default).

    The only "today" in famplan: `date.today()` is the server's local date, which on a
    UTC server is still yesterday before 08:00 Beijing time."""
    return timezone.localdate()


def age_on(born: date, day: date) -> int:
    """Completed years of age on `day` for someone born on `born`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
