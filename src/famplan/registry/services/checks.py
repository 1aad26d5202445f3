"""Checks and row locks every life event shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from famplan.common import dates
from famplan.common.bulk import chunked
from famplan.common.dates import today
from famplan.registry.models import (
    ON_REGISTER,
    Person,
    PersonStatus,
)
from famplan.registry.services.people import FACT_FIELDS, FieldError


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
    if error := on_register_error(facts, field, day):
        raise error


# --- life events: facts snapshots and pure checks ---------------------------------------
# The services and the imports check a proposed event with the same pure functions over
# the same "facts" rows (the dicts imports/_shared.people_in_scope loads): a service
# loads one person's row under a lock, an import loads every row of the file at once.

STATUS_LABEL = dict(PersonStatus.choices)


def person_facts(pks: Iterable[int]) -> dict[int, dict]:
    """The facts rows of these people by primary key, locked like `locked` locks."""
    wanted = sorted(set(pks))
    found: dict[int, dict] = {}
    for chunk in chunked(wanted):
        rows = Person.objects.select_for_update().filter(pk__in=chunk).values(*FACT_FIELDS)
        found.update((row["pk"], row) for row in rows)
    return found


def future_error(day: date, field: str, label: str) -> FieldError | None:
    """not_future as a value: None, or the refusal."""
    return FieldError(field, f"{label}不能晚于今天") if day > dates.today_cached() else None


def on_register_error(person: Mapping[str, Any], field: str, day: date | None) -> FieldError | None:
    """require_on_register over a facts row, with its messages."""
    if person["status"] not in ON_REGISTER:
        label = STATUS_LABEL[person["status"]]
        return FieldError(field, f"{person['name']}已{label}，不能登记此事件")
    if day is not None and day < person["birth_date"]:
        return FieldError(field, f"日期早于{person['name']}的出生日期")
    return None


def raise_first(problems: list[FieldError]) -> None:
    """A service refuses with the first problem a check found (an import shows all)."""
    if problems:
        raise problems[0]


# The refusals of numbers held outside the user's jurisdiction live in conflicts.py;
# the event checks take them from here too.
from famplan.registry.services.conflicts import (  # noqa: E402
    UNUSABLE,
    UnusableNumber,
    id_number_holders,
    number_conflict,
    report_number_conflicts,
    reporting_number_conflicts,
    taken_number_error,
)

__all__ = [
    "UNUSABLE",
    "UnusableNumber",
    "id_number_holders",
    "number_conflict",
    "report_number_conflicts",
    "reporting_number_conflicts",
    "taken_number_error",
]
