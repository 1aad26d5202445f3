"""Migrants out and in, returns, changes of residence and permanent moves away.

For out, in and return: a pure `check_*` over facts rows judges one proposed event and
a `migrations_*_write` makes every side effect of many; the services (one event) and
the migrations import (a whole file) call the same pair."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from famplan.audit.services import audit_log, audit_log_rows
from famplan.common.bulk import bulk_set, chunked, insert_records
from famplan.common.idnumbers import normalize
from famplan.registry.models import (
    ON_REGISTER,
    Direction,
    Household,
    Migration,
    MigrationStatus,
    Person,
    PersonStatus,
    Relation,
    ResidenceChange,
)
from famplan.registry.services.checks import (
    STATUS_LABEL,
    UNUSABLE,
    future_error,
    id_number_holders,
    locked,
    not_future,
    person_facts,
    raise_first,
    reporting_number_conflicts,
    require_on_register,
    taken_number_error,
)
from famplan.registry.services.people import (
    FieldError,
    PersonData,
    _check_household,
    _check_unit,
    bump_version,
    check_person_facts,
)


def close_open_migrations(person_ids: list[int]) -> None:
    """Leaving the register for good ends any migration still open: a migrant who
    dies or moves away is no longer someone to follow up or to expect back."""
    for chunk in chunked(sorted(set(person_ids))):
        Migration.objects.filter(person_id__in=chunk, status=MigrationStatus.ACTIVE).update(
            status=MigrationStatus.CLOSED, version=F("version") + 1, updated_at=timezone.now()
        )


def close_migrations(person: Person) -> None:
    close_open_migrations([person.pk])


def _audit(actor: Any, action: str, model: type, rows: list[dict], detail: dict | None) -> None:
    audit_log_rows(
        actor=actor,
        action=action,
        target_type=model._meta.label_lower,
        rows=((r["unit_id"], r["id"], _target_label(r)) for r in rows),
        detail=detail,
    )


def _target_label(record: dict) -> str:
    """str() of the record without building it: what audit rows name as the target."""
    if "direction" in record:
        return f"{Direction(record['direction']).label} {record['moved_on']}"
    return record["name"]


# --- out (流出) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MigrationOutEntry:
    """One proposed departure: the person's facts row and what the form or row says."""

    person: dict
    moved_on: date
    place: str
    employer: str = ""
    contact_phone: str = ""


def check_migration_out(entry: MigrationOutEntry) -> list[FieldError]:
    person = entry.person
    if error := future_error(entry.moved_on, "moved_on", "流出日期"):
        return [error]
    if person["status"] != PersonStatus.ACTIVE:
        status = STATUS_LABEL[person["status"]]
        return [FieldError("person", f"{person['name']}当前状态为{status}，不能登记流出")]
    problems = []
    if entry.moved_on < person["registered_on"]:
        problems.append(FieldError("moved_on", "流出日期早于登记日期"))
    if not entry.place.strip():
        problems.append(FieldError("place", "请填写流入地"))
    return problems


def migrations_out_write(
    *, actor: Any, entries: list[MigrationOutEntry], detail: dict | None = None
) -> list[dict]:
    """Record checked departures (no person twice): the migration, the person away
    (still on the register), an audit row each. Returns the migrations' rows."""
    records = [
        _migration(actor, e.person["pk"], e.person["unit_id"], Direction.OUT, e) for e in entries
    ]
    insert_records(Migration, records)
    bulk_set(Person, ["status"], [(e.person["pk"], (PersonStatus.AWAY,)) for e in entries])
    _audit(actor, "registry.migration.out", Migration, records, detail)
    return records


def _migration(actor: Any, person_id: int, unit_id: str, direction: str, entry: Any) -> dict:
    return {
        "unit_id": unit_id,
        "entered_by_id": actor.pk,
        "person_id": person_id,
        "direction": direction,
        "moved_on": entry.moved_on,
        "place": entry.place,
        "employer": entry.employer,
        "contact_phone": entry.contact_phone,
        "returned_on": None,
        "status": MigrationStatus.ACTIVE,
    }


@transaction.atomic
def migration_out_record(
    *,
    actor: Any,
    person: Person,
    moved_on: date,
    place: str,
    employer: str = "",
    contact_phone: str = "",
) -> Migration:
    """The person leaves to work or live elsewhere for a while: still on the register,
    status away, with a contact to keep in touch."""
    facts = person_facts([person.pk])[person.pk]
    entry = MigrationOutEntry(facts, moved_on, place, employer, contact_phone)
    raise_first(check_migration_out(entry))
    (record,) = migrations_out_write(actor=actor, entries=[entry], detail={"person": person.pk})
    return Migration.objects.get(pk=record["id"])


# --- in (流入) -----------------------------------------------------------------------------


@dataclass
class MigrationInEntry:
    """One proposed arrival: the newcomer's own facts and where they came from."""

    data: PersonData
    moved_on: date
    place: str
    employer: str = ""
    contact_phone: str = ""


ALREADY_REGISTERED = "此人已在人口库中，本县内迁移请办理居住地变更"


def check_migration_in(
    actor: Any, entry: MigrationInEntry, holder_unit_id: str | None
) -> list[FieldError]:
    """Everything wrong with a proposed arrival; `holder_unit_id` is the village of
    whoever already holds the ID number (id_number_holders), or None. The newcomer's
    own facts are checked by check_person_facts (which normalises data's ID number)."""
    data, moved_on = entry.data, entry.moved_on
    if error := future_error(moved_on, "moved_on", "流入日期"):
        return [error]
    problems = []
    if not entry.place.strip():
        problems.append(FieldError("place", "请填写流出地（户籍地）"))
    if holder_unit_id is not None:
        problems.append(
            taken_number_error(
                actor,
                kind="id_number",
                number=normalize(data.id_number or ""),
                holder_unit_id=holder_unit_id,
                field="id_number",
                message=ALREADY_REGISTERED,
            )
        )
    if moved_on < data.birth_date:
        problems.append(FieldError("moved_on", "流入日期早于出生日期"))
        return problems
    data.registered_on = moved_on
    try:
        check_person_facts(data)
    except FieldError as exc:
        problems.append(exc)
    return problems


def migrations_in_write(
    *, actor: Any, entries: list[MigrationInEntry], detail: dict | None = None
) -> list[dict]:
    """Record checked arrivals: each newcomer joins the register from the day they
    arrived, with their migration in. One audit row an arrival, on the migration (the
    form's decision: the person is created as part of the event, not as an entry of
    their own). Returns the migrations' rows."""
    people = []
    for entry in entries:
        record = {f.name: getattr(entry.data, f.name) for f in fields(PersonData)}
        record.update(
            registered_on=entry.moved_on, entered_by_id=actor.pk, status=PersonStatus.ACTIVE
        )
        people.append(record)
    insert_records(Person, people)
    records = [
        _migration(actor, p["id"], p["unit_id"], Direction.IN, e)
        for p, e in zip(people, entries, strict=True)
    ]
    insert_records(Migration, records)
    _audit(actor, "registry.migration.in", Migration, records, detail)
    return records


@reporting_number_conflicts("registry.migration_in")
@transaction.atomic
def migration_in_record(
    *,
    actor: Any,
    data: PersonData,
    moved_on: date,
    place: str,
    employer: str = "",
    contact_phone: str = "",
) -> Migration:
    """Someone from elsewhere comes to live in a village: they join its register from
    the day they arrived. Someone already on the register is refused (use a change of
    residence for moves within the registry)."""
    entry = MigrationInEntry(data, moved_on, place, employer, contact_phone)
    holder = id_number_holders([data.id_number]).get(normalize(data.id_number or ""))
    raise_first(check_migration_in(actor, entry, holder))
    _check_unit(actor, data.unit_id)
    _check_household(data)
    try:
        with transaction.atomic():
            (record,) = migrations_in_write(actor=actor, entries=[entry])
    except IntegrityError:  # a concurrent insert of the same ID number
        raise FieldError("id_number", UNUSABLE["id_number"]) from None
    return Migration.objects.get(pk=record["id"])


# --- return (返回) -------------------------------------------------------------------------

MIGRATION_FACTS = ("pk", "unit_id", "person_id", "direction", "moved_on", "status")


def check_migration_return(migration: dict, returned_on: date) -> list[FieldError]:
    if error := future_error(returned_on, "returned_on", "日期"):
        return [error]
    if migration["status"] != MigrationStatus.ACTIVE:
        return [FieldError("migration", "该流动记录已结束")]
    if returned_on < migration["moved_on"]:
        return [FieldError("returned_on", "日期早于流动日期")]
    return []


def migrations_return_write(
    *,
    actor: Any,
    returns: list[tuple[dict, date]],
    people: dict[int, dict],
    detail: dict | None = None,
) -> None:
    """End checked migrations ((migration facts, day) each): a migrant out who is away
    comes home (active again), a migrant in leaves again (off the register that day)."""
    bulk_set(
        Migration,
        ["returned_on", "status"],
        [(m["pk"], (day, MigrationStatus.RETURNED)) for m, day in returns],
    )
    home, gone = [], []
    for m, day in returns:
        person = people[m["person_id"]]
        if m["direction"] == Direction.OUT and person["status"] == PersonStatus.AWAY:
            home.append((person["pk"], (PersonStatus.ACTIVE,)))
        elif m["direction"] == Direction.IN and person["status"] in ON_REGISTER:
            gone.append((person["pk"], (PersonStatus.MOVED_OUT, day)))
    bulk_set(Person, ["status"], home)
    bulk_set(Person, ["status", "left_on"], gone)
    audit_log_rows(
        actor=actor,
        action="registry.migration.returned",
        target_type=Migration._meta.label_lower,
        rows=((m["unit_id"], m["pk"], _target_label(m)) for m, _ in returns),
        detail=detail,
    )


@transaction.atomic
def migration_return_record(*, actor: Any, migration: Migration, returned_on: date) -> Migration:
    """A migrant out comes home (back to active), or a migrant in leaves again (off the
    register from that day)."""
    facts = (
        Migration.objects.select_for_update().filter(pk=migration.pk).values(*MIGRATION_FACTS)[0]
    )
    raise_first(check_migration_return(facts, returned_on))
    people = person_facts([facts["person_id"]])
    migrations_return_write(
        actor=actor,
        returns=[(facts, returned_on)],
        people=people,
        detail={"person": facts["person_id"]},
    )
    return Migration.objects.get(pk=migration.pk)


@transaction.atomic
def residence_change_record(
    *,
    actor: Any,
    person: Person,
    to_unit_id: str,
    moved_on: date,
    household_id: int | None = None,
) -> ResidenceChange:
    """A move between two villages of the registry: the person's record moves to the
    new village's register (both villages must be in the actor's jurisdiction)."""
    person = locked(person)
    not_future(moved_on, "moved_on", "变更日期")
    require_on_register(person, "person", moved_on)
    if moved_on < person.registered_on:
        raise FieldError("moved_on", "变更日期早于登记日期")
    try:
        _check_unit(actor, to_unit_id)
    except FieldError as exc:
        raise FieldError("to_unit", exc.message) from None
    if to_unit_id == person.unit_id:
        raise FieldError("to_unit", "新居住地与原居住地相同")
    if (
        household_id is not None
        and not Household.objects.filter(
            pk=household_id, unit_id=to_unit_id, dissolved_on__isnull=True
        ).exists()
    ):
        raise FieldError("household", "所选户不在新居住地")
    change = ResidenceChange.objects.create(
        unit_id=to_unit_id,
        entered_by=actor,
        person=person,
        from_unit_id=person.unit_id,
        moved_on=moved_on,
    )
    # The old household stays behind (without its head, if the head moved); the
    # relation in a new household is for the clerk to set on the person's page.
    if person.household_id is not None:
        Household.objects.filter(pk=person.household_id, head=person).update(
            head=None, version=F("version") + 1
        )
    bump_version(
        person,
        unit_id=to_unit_id,
        household_id=household_id,
        relation_to_head=Relation.OTHER if household_id is not None else "",
    )
    audit_log(
        actor=actor,
        action="registry.person.moved",
        target=person,
        org_unit_id=to_unit_id,
        detail={"from": change.from_unit_id, "to": to_unit_id},
    )
    return change


@transaction.atomic
def move_away_record(*, actor: Any, person: Person, moved_on: date, place: str) -> ResidenceChange:
    """A permanent move out of the registry's area (户口迁出): off the register."""
    person = locked(person)
    not_future(moved_on, "moved_on", "迁出日期")
    require_on_register(person, "person", moved_on)
    if moved_on < person.registered_on:
        raise FieldError("moved_on", "迁出日期早于登记日期")
    if not place.strip():
        raise FieldError("place", "请填写迁往地")
    change = ResidenceChange.objects.create(
        unit_id=person.unit_id,
        entered_by=actor,
        person=person,
        from_unit_id=person.unit_id,
        moved_on=moved_on,
        place=place,
    )
    bump_version(person, status=PersonStatus.MOVED_OUT, left_on=moved_on)
    close_migrations(person)
    audit_log(
        actor=actor,
        action="registry.person.moved_away",
        target=person,
        org_unit_id=person.unit_id,
        detail={"place": place},
    )
    return change
