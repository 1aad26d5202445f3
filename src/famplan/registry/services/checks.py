"""Checks and row locks every life event shares."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from famplan.common.dates import today
from famplan.registry.models import (
    ON_REGISTER,
    Person,
    PersonStatus,
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


def check_on_register(facts: Mapping[str, Any], field: str, day: date | None = None) -> None:
    """require_on_register over a person's facts (the dict rows the batch rules take:
    people_in_scope, facts_of), with its messages."""
    if facts["status"] not in ON_REGISTER:
        label = PersonStatus(facts["status"]).label
        raise FieldError(field, f"{facts['name']}已{label}，不能登记此事件")
    if day is not None and day < facts["birth_date"]:
        raise FieldError(field, f"日期早于{facts['name']}的出生日期")
