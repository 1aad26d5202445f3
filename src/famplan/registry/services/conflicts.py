"""Numbers (ID numbers, household numbers) that belong to someone outside the user's
jurisdiction: one neutral refusal, and the conflict handed to the data-quality worklist.

Apart from checks.py so that people.py, which checks ID numbers, can use it: checks.py
imports people.py."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

from django.dispatch import Signal

from famplan.common.bulk import select_in
from famplan.common.idnumbers import normalize
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.registry.models import Person
from famplan.registry.services.errors import FieldError

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
    return dict(select_in(Person, ["id_number", "unit_id"], "id_number", wanted))


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
