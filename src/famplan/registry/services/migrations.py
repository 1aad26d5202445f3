"""Migrants out and in, returns, changes of residence and permanent moves away."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F

from famplan.audit.services import audit_log
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
from famplan.registry.services.checks import locked, not_future, require_on_register
from famplan.registry.services.people import (
    FieldError,
    PersonData,
    _check_unit,
    bump_version,
    insert_person,
)


def close_migrations(person: Person) -> None:
    """Leaving the register for good ends any migration still open: a migrant who
    dies or moves away is no longer someone to follow up or to expect back."""
    Migration.objects.filter(person=person, status=MigrationStatus.ACTIVE).update(
        status=MigrationStatus.CLOSED, version=F("version") + 1
    )


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
    person = locked(person)
    not_future(moved_on, "moved_on", "流出日期")
    if person.status != PersonStatus.ACTIVE:
        raise FieldError(
            "person", f"{person.name}当前状态为{person.get_status_display()}，不能登记流出"
        )
    if moved_on < person.registered_on:
        raise FieldError("moved_on", "流出日期早于登记日期")
    if not place.strip():
        raise FieldError("place", "请填写流入地")
    migration = Migration.objects.create(
        unit_id=person.unit_id,
        entered_by=actor,
        person=person,
        direction=Direction.OUT,
        moved_on=moved_on,
        place=place,
        employer=employer,
        contact_phone=contact_phone,
    )
    bump_version(person, status=PersonStatus.AWAY)
    audit_log(
        actor=actor,
        action="registry.migration.out",
        target=migration,
        org_unit_id=migration.unit_id,
        detail={"person": person.pk},
    )
    return migration


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
    not_future(moved_on, "moved_on", "流入日期")
    if not place.strip():
        raise FieldError("place", "请填写流出地（户籍地）")
    if data.id_number and Person.objects.filter(id_number=data.id_number.strip().upper()).exists():
        raise FieldError("id_number", "此人已在人口库中，本县内迁移请办理居住地变更")
    if moved_on < data.birth_date:
        raise FieldError("moved_on", "流入日期早于出生日期")
    data.registered_on = moved_on
    person = insert_person(actor=actor, data=data)
    migration = Migration.objects.create(
        unit_id=person.unit_id,
        entered_by=actor,
        person=person,
        direction=Direction.IN,
        moved_on=moved_on,
        place=place,
        employer=employer,
        contact_phone=contact_phone,
    )
    audit_log(
        actor=actor,
        action="registry.migration.in",
        target=migration,
        org_unit_id=migration.unit_id,
        detail={"person": person.pk},
    )
    return migration


@transaction.atomic
def migration_return_record(*, actor: Any, migration: Migration, returned_on: date) -> Migration:
    """A migrant out comes home (back to active), or a migrant in leaves again (off the
    register from that day)."""
    migration = Migration.objects.select_for_update().select_related("person").get(pk=migration.pk)
    not_future(returned_on, "returned_on", "日期")
    if migration.status != MigrationStatus.ACTIVE:
        raise FieldError("migration", "该流动记录已结束")
    if returned_on < migration.moved_on:
        raise FieldError("returned_on", "日期早于流动日期")
    person = locked(migration.person)
    migration.returned_on = returned_on
    migration.status = MigrationStatus.RETURNED
    migration.version += 1
    migration.save(update_fields=["returned_on", "status", "version", "updated_at"])
    if migration.direction == Direction.OUT and person.status == PersonStatus.AWAY:
        bump_version(person, status=PersonStatus.ACTIVE)
    elif migration.direction == Direction.IN and person.status in ON_REGISTER:
        bump_version(person, status=PersonStatus.MOVED_OUT, left_on=returned_on)
    audit_log(
        actor=actor,
        action="registry.migration.returned",
        target=migration,
        org_unit_id=migration.unit_id,
        detail={"person": person.pk},
    )
    return migration


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
