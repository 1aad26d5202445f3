"""Marriages and divorces, with the legal marriage age and the people's marital status."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from famplan.audit.services import audit_log
from famplan.registry.models import (
    MARRIED,
    MaritalStatus,
    Marriage,
    MarriageEnd,
    MarriageKind,
    Person,
    Sex,
)
from famplan.registry.services.checks import locked, locked_pk, not_future, require_on_register
from famplan.registry.services.people import (
    FieldError,
    bump_version,
)

# Civil Code art. 1047: men may marry from 22, women from 20.
LEGAL_MARRIAGE_AGE = {Sex.MALE: 22, Sex.FEMALE: 20}


def current_marriages(person: Person):
    return Marriage.objects.select_related("husband", "wife").filter(
        Q(husband=person) | Q(wife=person), ended_on__isnull=True
    )


def end_marriage(marriage: Marriage, ended_on: date, cause: str) -> None:
    marriage.ended_on = ended_on
    marriage.end_cause = cause
    marriage.version += 1
    marriage.save(update_fields=["ended_on", "end_cause", "version", "updated_at"])


@transaction.atomic
def marriage_record(*, actor: Any, husband: Person, wife: Person, married_on: date) -> Marriage:
    husband, wife = locked(husband), locked(wife)
    not_future(married_on, "married_on", "结婚日期")
    if husband.sex != Sex.MALE:
        raise FieldError("husband", "丈夫的性别应为男")
    if wife.sex != Sex.FEMALE:
        raise FieldError("wife", "妻子的性别应为女")
    for person, field in ((husband, "husband"), (wife, "wife")):
        require_on_register(person, field, married_on)
        if current_marriages(person).exists():
            raise FieldError(field, f"{person.name}已有在婚记录，须先登记离婚或丧偶")
        legal_age = LEGAL_MARRIAGE_AGE[person.sex]
        if person.age_on(married_on) < legal_age:
            raise FieldError(field, f"{person.name}结婚时未满法定婚龄{legal_age}岁")
        last_end = Marriage.objects.filter(Q(husband=person) | Q(wife=person)).aggregate(
            last=Max("ended_on")
        )["last"]
        if last_end is not None and married_on < last_end:
            raise FieldError("married_on", f"结婚日期早于{person.name}上一段婚姻的终止日期")
    # Each spouse is 初婚 or 再婚 by their own history; the marriage is a remarriage
    # if either of them was married before.
    married_before = {
        p.pk: Marriage.objects.filter(Q(husband=p) | Q(wife=p)).exists() for p in (husband, wife)
    }
    kind = MarriageKind.RE if any(married_before.values()) else MarriageKind.FIRST
    marriage = Marriage.objects.create(
        unit_id=wife.unit_id,
        entered_by=actor,
        husband=husband,
        wife=wife,
        married_on=married_on,
        kind=kind,
    )
    for person in (husband, wife):
        bump_version(
            person,
            marital_status=MaritalStatus.REMARRIED
            if married_before[person.pk]
            else MaritalStatus.FIRST_MARRIED,
        )
    audit_log(
        actor=actor,
        action="registry.marriage.recorded",
        target=marriage,
        org_unit_id=marriage.unit_id,
        detail={"husband": husband.pk, "wife": wife.pk, "kind": kind},
    )
    return marriage


@transaction.atomic
def divorce_record(*, actor: Any, marriage: Marriage, divorced_on: date) -> Marriage:
    marriage = Marriage.objects.select_for_update().get(pk=marriage.pk)
    not_future(divorced_on, "divorced_on", "离婚日期")
    if marriage.ended_on is not None:
        raise FieldError("marriage", "该婚姻已终止")
    if divorced_on < marriage.married_on:
        raise FieldError("divorced_on", "离婚日期早于结婚日期")
    end_marriage(marriage, divorced_on, MarriageEnd.DIVORCE)
    for person in (locked_pk(marriage.husband_id), locked_pk(marriage.wife_id)):
        if person.marital_status in MARRIED:
            bump_version(person, marital_status=MaritalStatus.DIVORCED)
    audit_log(
        actor=actor,
        action="registry.marriage.divorced",
        target=marriage,
        org_unit_id=marriage.unit_id,
    )
    return marriage
