"""Run the same input through the entry form and through the import, each in a
transaction rolled back afterwards, and compare what each left in the registry.

A snapshot names records by what they are (people by name, households by number),
never by primary key: the two runs take different keys, and PostgreSQL's sequences do
not roll back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from famplan.audit.models import AuditEntry
from famplan.registry.models import Birth, Household, Person
from famplan.transfer.imports.framework import ImportFailed

# Set by the database on every write, or by which run came first.
VOLATILE = {"id", "entered_at", "updated_at"}
# The import's own audit row, and the part of the detail that says how rows came in.
IMPORT_ONLY_ACTIONS = {"transfer.import.completed"}


class _Rollback(Exception):
    pass


@dataclass
class Outcome:
    refusals: dict[str, list[str]] = field(default_factory=dict)  # column header -> messages
    state: dict[str, Any] = field(default_factory=dict)
    result: Any = None


def _names() -> dict[int, str]:
    return dict(Person.objects.values_list("pk", "name"))


def snapshot(since_audit: int) -> dict[str, Any]:
    """Every person, household and birth, and the audit rows written since `since_audit`."""
    names = _names()
    numbers = dict(Household.objects.values_list("pk", "number"))

    def person_row(p: dict) -> dict:
        p = {k: v for k, v in p.items() if k not in VOLATILE}
        p["household_id"] = numbers.get(p["household_id"])
        return p

    people = sorted(
        (person_row(p) for p in Person.objects.values()), key=lambda p: (p["name"], p["birth_date"])
    )
    households = sorted(
        (
            {
                **{k: v for k, v in h.items() if k not in VOLATILE},
                "head_id": names.get(h["head_id"]),
            }
            for h in Household.objects.values()
        ),
        key=lambda h: h["number"],
    )
    births = sorted(
        (
            {
                **{k: v for k, v in b.items() if k not in VOLATILE},
                "child_id": names[b["child_id"]],
                "mother_id": names[b["mother_id"]],
                "father_id": names.get(b["father_id"]),
            }
            for b in Birth.objects.values()
        ),
        key=lambda b: (b["born_on"], b["child_id"]),
    )
    births_by_pk = {b.pk: b.child.name for b in Birth.objects.select_related("child")}
    audit = []
    for entry in AuditEntry.objects.filter(pk__gt=since_audit).order_by("pk"):
        if entry.action in IMPORT_ONLY_ACTIONS:
            continue
        detail = {k: v for k, v in entry.detail.items() if k != "via"}
        target = entry.target_id
        if entry.target_type == "registry.person":
            target = names.get(int(target))
        elif entry.target_type == "registry.birth":
            target = births_by_pk.get(int(target))
        elif entry.target_type == "registry.household":
            target = numbers.get(int(target))
        audit.append((entry.action, entry.target_type, target, entry.org_unit_id, detail))
    audit.sort(key=repr)
    return {"people": people, "households": households, "births": births, "audit": audit}


def attempt(run: Callable[[], Outcome]) -> Outcome:
    """Run, snapshot, roll everything back."""
    since = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    holder: list[Outcome] = []
    try:
        with transaction.atomic():
            outcome = run()
            outcome.state = snapshot(since)
            holder.append(outcome)
            raise _Rollback
    except _Rollback:
        pass
    return holder[0]


def form_outcome(client: Any, url: str, values: dict, headers: dict[str, str]) -> Outcome:
    """POST the form; its field errors under the import's column headers."""
    response = client.post(url, values)
    if response.status_code == 302:
        return Outcome(result=response.url)
    assert response.status_code == 200, response.status_code
    errors = response.context["form"].errors
    return Outcome(refusals={headers.get(k, k): list(v) for k, v in errors.items()})


def import_outcome(run_import: Callable[[], Any]) -> Outcome:
    try:
        return Outcome(result=run_import())
    except ImportFailed as failure:
        refusals: dict[str, list[str]] = {}
        for error in failure.errors:
            refusals.setdefault(error.header, []).append(error.reason)
        return Outcome(refusals=refusals)
