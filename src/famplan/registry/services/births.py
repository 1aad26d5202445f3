"""Births: the child joins the register with the mother; the couple's birth order."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max

from famplan.audit.services import audit_log
from famplan.registry.models import (
    Birth,
    MaritalStatus,
    Person,
    Relation,
    Sex,
)
from famplan.registry.services.checks import locked, not_future, require_on_register
from famplan.registry.services.people import (
    FieldError,
    PersonData,
    insert_person,
)

# Below this a birth is almost surely a data error (the quality rules say the same).
MIN_MOTHER_AGE = 15


def couple_birth_order(mother: Person, father: Person | None, born_on: date) -> int:
    """1 + the highest order among the couple's births on or before this day (the
    mother's where the father is unknown). The highest order, not the number of rows:
    births carried in from the old systems or the generator continue the orders of
    older children who have no birth row here. Twins entered one after the other get
    consecutive orders."""
    earlier = Birth.objects.filter(mother=mother, born_on__lte=born_on)
    if father is not None:
        earlier = earlier.filter(father=father)
    return (earlier.aggregate(top=Max("birth_order"))["top"] or 0) + 1


@transaction.atomic
def birth_record(
    *,
    actor: Any,
    mother: Person,
    father: Person | None,
    child_name: str,
    sex: str,
    born_on: date,
    place_type: str,
    facility: str = "",
    weight_g: int | None = None,
    child_id_number: str | None = None,
) -> Birth:
    """A child is born: the child joins the register (and the mother's household) from
    the day of birth, and the birth gets the couple's birth order."""
    mother = locked(mother)
    not_future(born_on, "born_on", "出生日期")
    require_on_register(mother, "mother", born_on)
    if mother.sex != Sex.FEMALE:
        raise FieldError("mother", "母亲的性别应为女")
    if father is not None:
        father = locked(father)
        if father.sex != Sex.MALE:
            raise FieldError("father", "父亲的性别应为男")
        if father.pk == mother.pk:
            raise FieldError("father", "父亲与母亲不能是同一人")
    if weight_g is not None and not 300 <= weight_g <= 7000:
        raise FieldError("weight_g", "出生体重应在300至7000克之间")
    child = insert_person(
        actor=actor,
        data=PersonData(
            name=child_name,
            sex=sex,
            birth_date=born_on,
            unit_id=mother.unit_id,
            id_number=child_id_number,
            ethnicity=mother.ethnicity,
            hukou_type=mother.hukou_type,
            hukou_unit_id=mother.hukou_unit_id,
            household_id=mother.household_id,
            relation_to_head=Relation.CHILD if mother.household_id else "",
            marital_status=MaritalStatus.UNMARRIED,
            registered_on=born_on,
        ),
    )
    birth = Birth.objects.create(
        unit_id=mother.unit_id,
        entered_by=actor,
        child=child,
        mother=mother,
        father=father,
        born_on=born_on,
        sex=sex,
        birth_order=couple_birth_order(mother, father, born_on),
        place_type=place_type,
        facility=facility,
        weight_g=weight_g,
    )
    audit_log(
        actor=actor,
        action="registry.birth.recorded",
        target=birth,
        org_unit_id=birth.unit_id,
        detail={"child": child.pk, "mother": mother.pk, "order": birth.birth_order},
    )
    return birth
