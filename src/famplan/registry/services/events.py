"""Life events. Each keeps the people's registered_on / left_on / status / marital
status consistent with the event, and writes one audit row."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Q

from famplan.audit.services import audit_log
from famplan.common.dates import today
from famplan.registry.models import (
    MARRIED,
    ON_REGISTER,
    Birth,
    Death,
    Direction,
    Household,
    MaritalStatus,
    Marriage,
    MarriageEnd,
    MarriageKind,
    Migration,
    MigrationStatus,
    Person,
    PersonStatus,
    Relation,
    ResidenceChange,
    Sex,
)
from famplan.registry.services.people import (
    FieldError,
    PersonData,
    _check_unit,
    bump_version,
    insert_person,
)

# Civil Code art. 1047: men may marry from 22, women from 20.
LEGAL_MARRIAGE_AGE = {Sex.MALE: 22, Sex.FEMALE: 20}
# Below this a birth is almost surely a data error (the quality rules say the same).
MIN_MOTHER_AGE = 15


def _not_future(day: date, field: str, label: str) -> None:
    if day > today():
        raise FieldError(field, f"{label}不能晚于今天")


def _require_on_register(person: Person, field: str, day: date | None = None) -> None:
    if person.status not in ON_REGISTER:
        raise FieldError(field, f"{person.name}已{person.get_status_display()}，不能登记此事件")
    if day is not None and day < person.birth_date:
        raise FieldError(field, f"日期早于{person.name}的出生日期")


def _locked(person: Person) -> Person:
    # Re-read under a row lock: two clerks recording events for the same person at once
    # must not both pass the state checks.
    return Person.objects.select_for_update().get(pk=person.pk)


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
    mother = _locked(mother)
    _not_future(born_on, "born_on", "出生日期")
    _require_on_register(mother, "mother", born_on)
    if mother.sex != Sex.FEMALE:
        raise FieldError("mother", "母亲的性别应为女")
    if father is not None:
        father = _locked(father)
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


@transaction.atomic
def death_record(
    *, actor: Any, person: Person, died_on: date, cause: str = "", place: str = ""
) -> Death:
    """A death takes the person off the register and ends their marriage (widowhood)."""
    person = _locked(person)
    _not_future(died_on, "died_on", "死亡日期")
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
    _close_migrations(person)
    for marriage in _current_marriages(person):
        if died_on < marriage.married_on:
            raise FieldError("died_on", "死亡日期早于结婚日期")
        _end_marriage(marriage, died_on, MarriageEnd.DEATH)
        spouse_id = marriage.wife_id if marriage.husband_id == person.pk else marriage.husband_id
        bump_version(_locked_pk(spouse_id), marital_status=MaritalStatus.WIDOWED)
    audit_log(
        actor=actor,
        action="registry.death.recorded",
        target=death,
        org_unit_id=death.unit_id,
        detail={"person": person.pk},
    )
    return death


def _locked_pk(pk: int) -> Person:
    return Person.objects.select_for_update().get(pk=pk)


def _close_migrations(person: Person) -> None:
    """Leaving the register for good ends any migration still open: a migrant who
    dies or moves away is no longer someone to follow up or to expect back."""
    Migration.objects.filter(person=person, status=MigrationStatus.ACTIVE).update(
        status=MigrationStatus.CLOSED, version=F("version") + 1
    )


def _current_marriages(person: Person):
    return Marriage.objects.select_related("husband", "wife").filter(
        Q(husband=person) | Q(wife=person), ended_on__isnull=True
    )


def _end_marriage(marriage: Marriage, ended_on: date, cause: str) -> None:
    marriage.ended_on = ended_on
    marriage.end_cause = cause
    marriage.version += 1
    marriage.save(update_fields=["ended_on", "end_cause", "version", "updated_at"])


@transaction.atomic
def marriage_record(*, actor: Any, husband: Person, wife: Person, married_on: date) -> Marriage:
    husband, wife = _locked(husband), _locked(wife)
    _not_future(married_on, "married_on", "结婚日期")
    if husband.sex != Sex.MALE:
        raise FieldError("husband", "丈夫的性别应为男")
    if wife.sex != Sex.FEMALE:
        raise FieldError("wife", "妻子的性别应为女")
    for person, field in ((husband, "husband"), (wife, "wife")):
        _require_on_register(person, field, married_on)
        if _current_marriages(person).exists():
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
    _not_future(divorced_on, "divorced_on", "离婚日期")
    if marriage.ended_on is not None:
        raise FieldError("marriage", "该婚姻已终止")
    if divorced_on < marriage.married_on:
        raise FieldError("divorced_on", "离婚日期早于结婚日期")
    _end_marriage(marriage, divorced_on, MarriageEnd.DIVORCE)
    for person in (_locked_pk(marriage.husband_id), _locked_pk(marriage.wife_id)):
        if person.marital_status in MARRIED:
            bump_version(person, marital_status=MaritalStatus.DIVORCED)
    audit_log(
        actor=actor,
        action="registry.marriage.divorced",
        target=marriage,
        org_unit_id=marriage.unit_id,
    )
    return marriage


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
    person = _locked(person)
    _not_future(moved_on, "moved_on", "流出日期")
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
    _not_future(moved_on, "moved_on", "流入日期")
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
    _not_future(returned_on, "returned_on", "日期")
    if migration.status != MigrationStatus.ACTIVE:
        raise FieldError("migration", "该流动记录已结束")
    if returned_on < migration.moved_on:
        raise FieldError("returned_on", "日期早于流动日期")
    person = _locked(migration.person)
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
    person = _locked(person)
    _not_future(moved_on, "moved_on", "变更日期")
    _require_on_register(person, "person", moved_on)
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
    person = _locked(person)
    _not_future(moved_on, "moved_on", "迁出日期")
    _require_on_register(person, "person", moved_on)
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
    _close_migrations(person)
    audit_log(
        actor=actor,
        action="registry.person.moved_away",
        target=person,
        org_unit_id=person.unit_id,
        detail={"place": place},
    )
    return change
