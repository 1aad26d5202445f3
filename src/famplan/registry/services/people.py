"""Creating and editing people, with the ID number's facts enforced."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from famplan.audit.services import audit_log
from famplan.common.dates import EARLIEST_BIRTH_DATE, TOO_EARLY_MESSAGE, today
from famplan.common.errors import DomainError
from famplan.common.idnumbers import InvalidIdNumber, parse_id_number
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.models import Household, Person, PersonStatus


class FieldError(DomainError):
    """A refusal tied to one field, so forms and imports can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ConflictError(DomainError):
    """Someone else saved the record since this edit began."""


@dataclass
class PersonData:
    """The editable facts of a person, as forms and imports hand them over."""

    name: str
    sex: str
    birth_date: date
    unit_id: str
    id_number: str | None = None
    ethnicity: str = ""
    hukou_type: str = ""
    hukou_unit_id: str | None = None
    household_id: int | None = None
    relation_to_head: str = ""
    marital_status: str = ""
    phone: str = ""
    registered_on: date | None = None


def check_person_facts(data: PersonData) -> None:
    """The ID number must be valid and agree with birth date and sex. Raises FieldError.

    A 15-digit first-generation number is accepted where its birth date and sex agree
    with the record's, and `data.id_number` becomes its 18-character form."""
    if not data.name or not data.name.strip():
        raise FieldError("name", "姓名不能为空")
    if data.birth_date < EARLIEST_BIRTH_DATE:
        raise FieldError("birth_date", TOO_EARLY_MESSAGE)
    if data.id_number:
        try:
            facts = parse_id_number(data.id_number, first_generation=True)
        except InvalidIdNumber as exc:
            raise FieldError("id_number", str(exc)) from None
        if facts.first_generation:
            # No check character: only agreement with the record makes it trustworthy.
            if facts.birth_date != data.birth_date:
                raise FieldError(
                    "id_number",
                    f"15位第一代身份证号中的出生日期{facts.birth_date:%Y-%m-%d}与所填的"
                    f"{data.birth_date:%Y-%m-%d}不一致，无法换算为18位号码",
                )
            if facts.sex != data.sex:
                raise FieldError(
                    "id_number",
                    "15位第一代身份证号末位表示的性别与所填的不一致（奇数为男，偶数为女），"
                    "无法换算为18位号码",
                )
        data.id_number = facts.number
        if facts.birth_date != data.birth_date:
            raise FieldError(
                "birth_date",
                f"出生日期{data.birth_date:%Y-%m-%d}与身份证号中的{facts.birth_date:%Y-%m-%d}不一致",
            )
        if facts.sex != data.sex:
            raise FieldError("sex", "性别与身份证号不一致（第17位奇数为男，偶数为女）")
    else:
        data.id_number = None
    if data.birth_date > today():
        raise FieldError("birth_date", "出生日期不能晚于今天")
    if data.registered_on and data.registered_on < data.birth_date:
        raise FieldError("registered_on", "登记日期不能早于出生日期")


def _check_unit(actor: Any, unit_id: str) -> None:
    if not unit_in_scope(actor, unit_id):
        raise FieldError("unit", "所选村(居)不在您的管辖范围内")
    if not OrgUnit.objects.filter(code=unit_id, level=Level.VILLAGE).exists():
        raise FieldError("unit", "所属单位必须是村(居)委会")


def _check_household(data: PersonData) -> None:
    if data.household_id is None:
        return
    household = Household.objects.filter(pk=data.household_id).first()
    if household is None or household.unit_id != data.unit_id:
        raise FieldError("household", "所选户不存在或不在该村(居)")


def _unique_id_number(id_number: str | None, exclude_pk: int | None = None) -> None:
    if not id_number:
        return
    clash = Person.objects.filter(id_number=id_number)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise FieldError("id_number", f"身份证号{id_number}已登记")


@transaction.atomic
def person_create(*, actor: Any, data: PersonData) -> Person:
    person = insert_person(actor=actor, data=data)
    audit_log(
        actor=actor,
        action="registry.person.created",
        target=person,
        org_unit_id=person.unit_id,
        detail={"no_id_number": not person.id_number},
    )
    return person


def insert_person(*, actor: Any, data: PersonData) -> Person:
    """Validate and save a new person without an audit row of its own: for services
    (a birth, a migration in) whose single audit row already names the new person."""
    check_person_facts(data)
    _check_unit(actor, data.unit_id)
    _check_household(data)
    _unique_id_number(data.id_number)
    values = {f.name: getattr(data, f.name) for f in fields(PersonData)}
    values["registered_on"] = data.registered_on or today()
    person = Person(**values, entered_by=actor, status=PersonStatus.ACTIVE)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # a concurrent insert of the same ID number
        raise FieldError("id_number", f"身份证号{data.id_number}已登记") from None
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, data: PersonData, version: int) -> Person:
    """Save edits made from `version`; refuse if the record changed since."""
    check_person_facts(data)
    _check_unit(actor, data.unit_id)
    _check_household(data)
    _unique_id_number(data.id_number, exclude_pk=person.pk)
    values = {f.name: getattr(data, f.name) for f in fields(PersonData)}
    values["registered_on"] = data.registered_on or person.registered_on
    if person.left_on is not None and values["registered_on"] > person.left_on:
        raise FieldError("registered_on", "登记日期不能晚于注销日期")
    changed = {k: v for k, v in values.items() if getattr(person, k) != v}
    if not changed:
        return person
    try:
        with transaction.atomic():
            updated = Person.objects.filter(pk=person.pk, version=version).update(
                **changed, version=version + 1
            )
    except IntegrityError:  # a concurrent save of the same ID number
        raise FieldError("id_number", f"身份证号{data.id_number}已登记") from None
    if not updated:
        raise ConflictError("该记录已被他人修改，请刷新页面后重新编辑。")
    person.refresh_from_db()
    audit_log(
        actor=actor,
        action="registry.person.updated",
        target=person,
        org_unit_id=person.unit_id,
        detail={"fields": sorted(changed), "version": person.version},
    )
    return person


def bump_version(person: Person, **changes: Any) -> None:
    """Apply a service's own change to a person and move its version on, so that an
    edit form opened before the event cannot overwrite what the event did."""
    for key, value in changes.items():
        setattr(person, key, value)
    person.version += 1
    person.save(update_fields=[*changes, "version", "updated_at"])
