"""Deaths: the person leaves the register, marriages end, open migrations close."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from famplan.audit.services import audit_log
from famplan.registry.models import (
    Death,
    MaritalStatus,
    MarriageEnd,
    Person,
    PersonStatus,
)
from famplan.registry.services.checks import locked, locked_pk, not_future
from famplan.registry.services.marriages import current_marriages, end_marriage
from famplan.registry.services.migrations import close_migrations
from famplan.registry.services.people import (
    FieldError,
    bump_version,
)


@transaction.atomic
def death_record(
    *, actor: Any, person: Person, died_on: date, cause: str = "", place: str = ""
) -> Death:
    """A death takes the person off the register and ends their marriage (widowhood)."""
    person = locked(person)
    not_future(died_on, "died_on", "死亡日期")
    if person.status == PersonStatus.DECEASED:
        raise FieldError("person", f"{person.name}的死亡已登记")
    if died_on < person.birth_date:
        raise FieldError("died_on", "死亡日期早于出生日期")
    if died_on < person.registered_on:
        raise FieldError("died_on", "死亡日期早于登记日期")
    death = Death.objects.create(
        unit_id=person.unit_id,
        entered_by=actor,
        person=person,
        died_on=died_on,
        cause=cause,
        place=place,
    )
    bump_version(person, status=PersonStatus.DECEASED, left_on=died_on)
    close_migrations(person)
    for marriage in current_marriages(person):
        if died_on < marriage.married_on:
            raise FieldError("died_on", "死亡日期早于结婚日期")
        end_marriage(marriage, died_on, MarriageEnd.DEATH)
        spouse_id = marriage.wife_id if marriage.husband_id == person.pk else marriage.husband_id
        bump_version(locked_pk(spouse_id), marital_status=MaritalStatus.WIDOWED)
    audit_log(
        actor=actor,
        action="registry.death.recorded",
        target=death,
        org_unit_id=death.unit_id,
        detail={"person": person.pk},
    )
    return death
