"""Deaths: the person leaves the register, marriages end, open migrations close.

`check_death` judges one proposed death over the person's facts row and current
marriages; `deaths_write` records any number of checked deaths with every side effect.
death_record (the form) and the deaths import (registry/imports/deaths.py) both call
them, so the two paths cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from famplan.audit.services import audit_log_rows
from famplan.common.bulk import bulk_set, insert_records
from famplan.registry.models import (
    Death,
    MaritalStatus,
    MarriageEnd,
    Person,
    PersonStatus,
)
from famplan.registry.services.checks import future_error, person_facts, raise_first
from famplan.registry.services.marriages import marriage_history, marriages_end
from famplan.registry.services.migrations import close_open_migrations
from famplan.registry.services.people import FieldError


@dataclass(frozen=True)
class DeathEntry:
    """One proposed death: the person's facts row and what the form or row says."""

    person: dict
    died_on: date
    cause: str = ""
    place: str = ""


def current_marriages_of(history: dict[int, list[dict]], person_id: int) -> list[dict]:
    return [m for m in history.get(person_id, []) if m["ended_on"] is None]


def check_death(entry: DeathEntry, history: dict[int, list[dict]]) -> list[FieldError]:
    person, died_on = entry.person, entry.died_on
    if error := future_error(died_on, "died_on", "死亡日期"):
        return [error]
    if person["status"] == PersonStatus.DECEASED:
        return [FieldError("person", f"{person['name']}的死亡已登记")]
    if died_on < person["birth_date"]:
        return [FieldError("died_on", "死亡日期早于出生日期")]
    if died_on < person["registered_on"]:
        return [FieldError("died_on", "死亡日期早于登记日期")]
    if any(died_on < m["married_on"] for m in current_marriages_of(history, person["pk"])):
        return [FieldError("died_on", "死亡日期早于结婚日期")]
    return []


def deaths_write(
    *,
    actor: Any,
    entries: list[DeathEntry],
    history: dict[int, list[dict]],
    detail: dict | None = None,
) -> tuple[list[dict], int]:
    """Record checked deaths (no person twice) with every side effect: off the register
    from the day, current marriages ended by death and the surviving spouse widowed
    (where both spouses die, at the first death: as two deaths entered in date order),
    open migrations closed, an audit row each. Returns the deaths' rows and the number
    of marriages ended."""
    records = [
        {
            "unit_id": e.person["unit_id"],
            "entered_by_id": actor.pk,
            "person_id": e.person["pk"],
            "died_on": e.died_on,
            "cause": e.cause,
            "place": e.place,
        }
        for e in entries
    ]
    insert_records(Death, records)
    died = {r["person_id"]: r["died_on"] for r in records}
    bulk_set(
        Person, ["status", "left_on"], [(p, (PersonStatus.DECEASED, d)) for p, d in died.items()]
    )
    ending: dict[int, dict] = {}
    for person_id in died:
        ending.update((m["pk"], m) for m in current_marriages_of(history, person_id))
    ends, widowed = [], []
    for marriage in ending.values():
        husband, wife = marriage["husband_id"], marriage["wife_id"]
        day, first = min((died[p], p) for p in (husband, wife) if p in died)
        ends.append((marriage["pk"], day, MarriageEnd.DEATH))
        widowed.append((wife if first == husband else husband, (MaritalStatus.WIDOWED,)))
    marriages_end(ends)
    bulk_set(Person, ["marital_status"], widowed)
    close_open_migrations(list(died))
    audit_log_rows(
        actor=actor,
        action="registry.death.recorded",
        target_type=Death._meta.label_lower,
        rows=((r["unit_id"], r["id"], f"死亡 {r['died_on']}") for r in records),
        detail=detail,
    )
    return records, len(ends)


@transaction.atomic
def death_record(
    *, actor: Any, person: Person, died_on: date, cause: str = "", place: str = ""
) -> Death:
    """A death takes the person off the register and ends their marriage (widowhood)."""
    entry = DeathEntry(person_facts([person.pk])[person.pk], died_on, cause, place)
    history = marriage_history([person.pk])
    raise_first(check_death(entry, history))
    (record,), _ = deaths_write(
        actor=actor, entries=[entry], history=history, detail={"person": person.pk}
    )
    return Death.objects.get(pk=record["id"])
