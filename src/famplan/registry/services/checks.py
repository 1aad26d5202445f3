"""Checks and row locks every life event shares."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, ParamSpec, TypeVar

from django.dispatch import Signal

from famplan.common.bulk import chunked
from famplan.common.dates import today
from famplan.common.idnumbers import normalize
from famplan.orgunits.jurisdiction import unit_in_scope
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


# --- life events: facts snapshots and pure checks ---------------------------------------
# The services and the imports check a proposed event with the same pure functions over
# the same "facts" rows (the dicts imports/_shared.people_in_scope loads): a service
# loads one person's row under a lock, an import loads every row of the file at once.

STATUS_LABEL = dict(PersonStatus.choices)
PERSON_FACTS = (
    "pk",
    "id_number",
    "name",
    "sex",
    "birth_date",
    "status",
    "unit_id",
    "registered_on",
    "ethnicity",
    "hukou_type",
    "hukou_unit_id",
    "household_id",
    "marital_status",
)


def person_facts(pks: Iterable[int]) -> dict[int, dict]:
    """The facts rows of these people by primary key, locked like `locked` locks."""
    wanted = sorted(set(pks))
    found: dict[int, dict] = {}
    for chunk in chunked(wanted):
        rows = Person.objects.select_for_update().filter(pk__in=chunk).values(*PERSON_FACTS)
        found.update((row["pk"], row) for row in rows)
    return found


_today_cache: list = [date.min, 0.0]


def _today() -> date:
    # today(), read from the clock at most once a second: an import asks once a row,
    # and the time zone conversion behind it costs more than the whole check.
    now = time.monotonic()
    if now - _today_cache[1] > 1:
        _today_cache[:] = [today(), now]
    return _today_cache[0]


def future_error(day: date, field: str, label: str) -> FieldError | None:
    """not_future as a value: None, or the refusal."""
    return FieldError(field, f"{label}不能晚于今天") if day > _today() else None


def on_register_error(person: dict, field: str, day: date) -> FieldError | None:
    """require_on_register over a facts row, with its messages."""
    if person["status"] not in ON_REGISTER:
        label = STATUS_LABEL[person["status"]]
        return FieldError(field, f"{person['name']}已{label}，不能登记此事件")
    if day < person["birth_date"]:
        return FieldError(field, f"日期早于{person['name']}的出生日期")
    return None


def raise_first(problems: list[FieldError]) -> None:
    """A service refuses with the first problem a check found (an import shows all)."""
    if problems:
        raise problems[0]


# --- numbers that belong to someone outside the user's jurisdiction ----------------------
# "身份证号…已登记" or "户号…已存在" for a record the user may not see tells them that the
# record exists, and where. Outside their jurisdiction they are told only that the
# number cannot be used; the conflict goes to the data-quality worklist of whoever can
# see both units (quality.conflicts records it on the signal below, since the registry
# must not depend on quality).

UNUSABLE = {
    "id_number": "该身份证号无法使用，请联系县级管理员核实",
    "household_number": "该户号无法使用，请联系县级管理员核实",
}
P = ParamSpec("P")
R = TypeVar("R")
# Sent with actor, conflicts (list of UnusableNumber), job (or None) and source.
number_conflict = Signal()


class UnusableNumber(FieldError):
    """A number held by a record outside the actor's jurisdiction: a neutral refusal
    that carries what the county needs to sort it out."""

    def __init__(self, field: str, *, kind: str, number: str, holder_unit_id: str) -> None:
        super().__init__(field, UNUSABLE[kind])
        self.kind = kind
        self.number = number
        self.holder_unit_id = holder_unit_id


def id_number_holders(id_numbers: Iterable[str | None]) -> dict[str, str]:
    """The village of whoever already holds each of these ID numbers, anywhere."""
    wanted = sorted({normalize(n) for n in id_numbers if n})
    found: dict[str, str] = {}
    for chunk in chunked(wanted):
        found.update(Person.objects.filter(id_number__in=chunk).values_list("id_number", "unit_id"))
    return found


def taken_number_error(
    actor: Any, *, kind: str, number: str, holder_unit_id: str, field: str, message: str
) -> FieldError:
    """THE refusal of a number some record already holds: the specific `message` where
    the holder lies in the actor's jurisdiction, else the neutral UnusableNumber."""
    if unit_in_scope(actor, holder_unit_id):
        return FieldError(field, message)
    return UnusableNumber(field, kind=kind, number=number, holder_unit_id=holder_unit_id)


def report_number_conflicts(
    *, actor: Any, conflicts: list[UnusableNumber], job: Any = None, source: str = ""
) -> None:
    """Hand the conflicts to whoever records them. Call after the refused write's
    transaction has rolled back, or the record of the conflict rolls back with it."""
    if conflicts:
        number_conflict.send(
            sender=UnusableNumber, actor=actor, conflicts=conflicts, job=job, source=source
        )


def reporting_number_conflicts(source: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Around an atomic service: an UnusableNumber refusal is reported once the
    service's transaction has rolled back, then raised on to the form."""

    def decorate(service: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(service)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return service(*args, **kwargs)
            except UnusableNumber as exc:
                report_number_conflicts(actor=kwargs.get("actor"), conflicts=[exc], source=source)
                raise

        return wrapper

    return decorate
