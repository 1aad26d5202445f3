"""Date arithmetic the domain uses in many places."""

from __future__ import annotations

from datetime import date


def age_on(born: date, day: date) -> int:
    """Completed years of age on `day` for someone born on `born`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
