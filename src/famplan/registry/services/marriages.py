"""Marriages and divorces, with the legal marriage age and the people's marital status.

The rules live once, for the form and the import alike: `marriage_history` loads what
they need for any number of people, `check_marriage` / `check_divorce` judge one
proposed event over those facts, and `marriages_write` / `divorces_write` make every
side effect of many events at once. The services are lock + facts + check + write of
one; the import (registry/imports/marriages.py) is the same over a whole file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from famplan.audit.services import audit_log_rows
from famplan.common.bulk import bulk_set, chunked, insert_records
from famplan.common.dates import age_on
from famplan.registry.models import (
    MARRIED,
    MaritalStatus,
    Marriage,
    MarriageEnd,
    MarriageKind,
    Person,
    Sex,
)
from famplan.registry.services.checks import (
    future_error,
    on_register_error,
    person_facts,
    raise_first,
)
from famplan.registry.services.people import FieldError

# Civil Code art. 1047: men may marry from 22, women from 20.
LEGAL_MARRIAGE_AGE = {Sex.MALE: 22, Sex.FEMALE: 20}
MARRIAGE_FACTS = ("pk", "unit_id", "husband_id", "wife_id", "married_on", "ended_on")


def marriage_history(person_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Every marriage of these people (current and ended), by person: the facts a
    marriage, a divorce and a death are checked against."""
    wanted = sorted(set(person_ids))
    seen: dict[int, dict] = {}
    for chunk in chunked(wanted):
        # One side at a time: each uses its index, where an OR of both scans the table.
        for side in ("husband_id__in", "wife_id__in"):
            rows = Marriage.objects.filter(**{side: chunk}).values(*MARRIAGE_FACTS)
            seen.update((m["pk"], m) for m in rows)
    history: dict[int, list[dict]] = defaultdict(list)
    for marriage in seen.values():
        history[marriage["husband_id"]].append(marriage)
        history[marriage["wife_id"]].append(marriage)
    return history


# --- marriage --------------------------------------------------------------------------


@dataclass(frozen=True)
class MarriageEntry:
    """One proposed marriage: the spouses' facts rows and the day. For checking only,
    a spouse may be None: unknown (an import row naming no one), that side unchecked."""

    husband: dict | None
    wife: dict | None
    married_on: date


SPOUSES = (("husband", Sex.MALE, "丈夫的性别应为男"), ("wife", Sex.FEMALE, "妻子的性别应为女"))


def check_marriage(entry: MarriageEntry, history: dict[int, list[dict]]) -> list[FieldError]:
    """Everything wrong with a proposed marriage, in the order the form reports it: the
    date, the spouses' sexes, then each spouse's register status, current marriage,
    legal age and the end of their previous marriage."""
    married_on = entry.married_on
    if error := future_error(married_on, "married_on", "结婚日期"):
        return [error]
    problems: list[FieldError] = []
    spouses = []
    for field, sex, wrong_sex in SPOUSES:
        person = getattr(entry, field)
        if person is None:
            continue
        if person["sex"] != sex:
            problems.append(FieldError(field, wrong_sex))
        else:
            spouses.append((field, person))
    for field, person in spouses:
        if error := on_register_error(person, field, married_on):
            problems.append(error)
            continue
        past = history.get(person["pk"], [])
        legal_age = LEGAL_MARRIAGE_AGE[person["sex"]]
        if any(m["ended_on"] is None for m in past):
            problems.append(FieldError(field, f"{person['name']}已有在婚记录，须先登记离婚或丧偶"))
        elif age_on(person["birth_date"], married_on) < legal_age:
            problems.append(FieldError(field, f"{person['name']}结婚时未满法定婚龄{legal_age}岁"))
        elif past and married_on < max(m["ended_on"] for m in past):
            problems.append(
                FieldError("married_on", f"结婚日期早于{person['name']}上一段婚姻的终止日期")
            )
    return problems


def marriage_kind(entry: MarriageEntry, history: dict[int, list[dict]]) -> str:
    # Each spouse is 初婚 or 再婚 by their own history; the marriage is a remarriage
    # if either of them was married before.
    again = history.get(entry.husband["pk"]) or history.get(entry.wife["pk"])
    return MarriageKind.RE if again else MarriageKind.FIRST


def marriages_write(
    *,
    actor: Any,
    entries: list[MarriageEntry],
    history: dict[int, list[dict]],
    detail: dict | None = None,
) -> list[dict]:
    """Record checked marriages (no person twice) with every side effect: the kind, each
    spouse's marital status, an audit row each. Returns the new marriages' rows."""
    records, statuses = [], []
    for entry in entries:
        records.append(
            {
                "unit_id": entry.wife["unit_id"],
                "entered_by_id": actor.pk,
                "husband_id": entry.husband["pk"],
                "wife_id": entry.wife["pk"],
                "married_on": entry.married_on,
                "kind": marriage_kind(entry, history),
                "ended_on": None,
                "end_cause": "",
            }
        )
        for person in (entry.husband, entry.wife):
            again = bool(history.get(person["pk"]))
            status = MaritalStatus.REMARRIED if again else MaritalStatus.FIRST_MARRIED
            statuses.append((person["pk"], (status,)))
    insert_records(Marriage, records)
    bulk_set(Person, ["marital_status"], statuses)
    audit_log_rows(
        actor=actor,
        action="registry.marriage.recorded",
        target_type=Marriage._meta.label_lower,
        rows=((r["unit_id"], r["id"], f"婚姻 {r['married_on']}") for r in records),
        detail=detail,
    )
    return records


@transaction.atomic
def marriage_record(*, actor: Any, husband: Person, wife: Person, married_on: date) -> Marriage:
    people = person_facts([husband.pk, wife.pk])
    history = marriage_history(people)
    entry = MarriageEntry(people[husband.pk], people[wife.pk], married_on)
    raise_first(check_marriage(entry, history))
    detail = {"husband": husband.pk, "wife": wife.pk, "kind": marriage_kind(entry, history)}
    (record,) = marriages_write(actor=actor, entries=[entry], history=history, detail=detail)
    return Marriage.objects.get(pk=record["id"])


# --- ending marriages: divorce, and (from deaths.py) widowhood ---------------------------


def marriages_end(ends: list[tuple[int, date, str]]) -> None:
    """End marriages: (marriage pk, day, MarriageEnd cause) each."""
    bulk_set(Marriage, ["ended_on", "end_cause"], [(pk, (day, cause)) for pk, day, cause in ends])


def check_divorce(marriage: dict, divorced_on: date) -> list[FieldError]:
    if error := future_error(divorced_on, "divorced_on", "离婚日期"):
        return [error]
    if marriage["ended_on"] is not None:
        return [FieldError("marriage", "该婚姻已终止")]
    if divorced_on < marriage["married_on"]:
        return [FieldError("divorced_on", "离婚日期早于结婚日期")]
    return []


def divorces_write(
    *,
    actor: Any,
    divorces: list[tuple[dict, date]],
    people: dict[int, dict],
    detail: dict | None = None,
) -> None:
    """End checked marriages by divorce ((marriage facts, day) each); a spouse still
    recorded as married becomes divorced. `people` holds both spouses' facts rows."""
    marriages_end([(m["pk"], day, MarriageEnd.DIVORCE) for m, day in divorces])
    statuses = [
        (pk, (MaritalStatus.DIVORCED,))
        for m, _ in divorces
        for pk in (m["husband_id"], m["wife_id"])
        if people[pk]["marital_status"] in MARRIED
    ]
    bulk_set(Person, ["marital_status"], statuses)
    audit_log_rows(
        actor=actor,
        action="registry.marriage.divorced",
        target_type=Marriage._meta.label_lower,
        rows=((m["unit_id"], m["pk"], f"婚姻 {m['married_on']}") for m, _ in divorces),
        detail=detail,
    )


@transaction.atomic
def divorce_record(*, actor: Any, marriage: Marriage, divorced_on: date) -> Marriage:
    facts = Marriage.objects.select_for_update().filter(pk=marriage.pk).values(*MARRIAGE_FACTS)[0]
    raise_first(check_divorce(facts, divorced_on))
    people = person_facts([facts["husband_id"], facts["wife_id"]])
    divorces_write(actor=actor, divorces=[(facts, divorced_on)], people=people)
    return Marriage.objects.get(pk=marriage.pk)
