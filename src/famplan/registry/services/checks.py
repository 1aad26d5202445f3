"""Checks and row locks every life event shares."""

from __future__ import annotations

from datetime import date

from famplan.common.dates import today
from famplan.registry.models import (
    ON_REGISTER,
    Person,
)
from famplan.registry.services.people import (
    FieldError,
)


def not_future(day: date, field: str, label: str) -> None:
    if day > today():
        raise FieldError(field, f"{label}不能晚于今天")


def require_on_register(person: Person, field: str, day: date | None = None) -> None:
    if person.status not in ON_REGISTER:
        raise FieldError(field, f"{person.name}已{person.get_status_display()}，不能登记此事件")
    if day is not None and day < person.birth_date:
        raise FieldError(field, f"日期早于{person.name}的出生日期")


def locked(person: Person) -> Person:
    # Re-read under a row lock: two clerks recording events for the same person at once
    # must not both pass the state checks.
    return Person.objects.select_for_update().get(pk=person.pk)


def locked_pk(pk: int) -> Person:
    return Person.objects.select_for_update().get(pk=pk)
