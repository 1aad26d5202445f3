"""Households: creation, splitting off members into a new household, merging two,
adding a member and changing the head."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F

from famplan.audit.services import audit_log
from famplan.common.dates import today
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.registry.models import (
    ON_REGISTER,
    Household,
    HouseholdChange,
    Person,
    Relation,
)
from famplan.registry.services.people import FieldError, _check_unit


def _not_future(day: date, field: str) -> None:
    if day > today():
        raise FieldError(field, "变更日期不能晚于今天")


def _new_number(unit_id: str) -> str:
    # Household numbers are the village code and a running number within the village.
    last = (
        Household.objects.filter(number__startswith=unit_id)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    running = int(last[len(unit_id) :]) + 1 if last and last[len(unit_id) :].isdigit() else 1
    return f"{unit_id}{running:04d}"


@transaction.atomic
def household_create(
    *,
    actor: Any,
    unit_id: str,
    address: str = "",
    head: Person | None = None,
    number: str | None = None,
) -> Household:
    _check_unit(actor, unit_id)
    if head is not None:
        head = Person.objects.select_for_update().get(pk=head.pk)
        if head.unit_id != unit_id:
            raise FieldError("head", "户主须为本村(居)人员")
        if head.status not in ON_REGISTER:
            raise FieldError("head", f"{head.name}已{head.get_status_display()}，不能作为户主")
    number = (number or "").strip() or _new_number(unit_id)
    if Household.objects.filter(number=number).exists():
        raise FieldError("number", f"户号{number}已存在")
    household = Household.objects.create(
        unit_id=unit_id, entered_by=actor, number=number, address=address
    )
    if head is not None:
        _set_head(household, head)
    audit_log(
        actor=actor, action="registry.household.created", target=household, org_unit_id=unit_id
    )
    return household


def _set_head(household: Household, head: Person) -> None:
    # A head who leaves another household leaves it without a head, not pointing at
    # someone who is no longer a member.
    Household.objects.filter(head=head).exclude(pk=household.pk).update(
        head=None, version=F("version") + 1
    )
    household.head = head
    household.version += 1
    household.save(update_fields=["head", "version", "updated_at"])
    Person.objects.filter(pk=head.pk).update(
        household=household, relation_to_head=Relation.HEAD, version=F("version") + 1
    )


@transaction.atomic
def household_split(
    *,
    actor: Any,
    household: Household,
    members: list[Person],
    new_head: Person,
    changed_on: date,
    address: str = "",
) -> Household:
    """Members leave `household` for a new household of the same village, headed by
    `new_head` (one of them)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    _not_future(changed_on, "changed_on")
    if household.dissolved_on is not None:
        raise FieldError("household", "该户已撤销")
    member_ids = {p.pk for p in members}
    if not member_ids:
        raise FieldError("members", "请选择分出的成员")
    if new_head.pk not in member_ids:
        raise FieldError("new_head", "新户主须是分出的成员之一")
    actual = set(household.members.filter(pk__in=member_ids).values_list("pk", flat=True))
    if actual != member_ids:
        raise FieldError("members", "所选成员不属于该户")
    if household.members.exclude(pk__in=member_ids).count() == 0:
        raise FieldError("members", "不能分出全部成员；整户迁移请办理居住地变更")
    new = Household.objects.create(
        unit_id=household.unit_id,
        entered_by=actor,
        number=_new_number(household.unit_id),
        address=address or household.address,
    )
    Person.objects.filter(pk__in=member_ids).update(
        household=new, relation_to_head=Relation.OTHER, version=F("version") + 1
    )
    _set_head(new, new_head)
    # A head who left with the others leaves the old household headless (the new head
    # was already taken off it by _set_head).
    Household.objects.filter(pk=household.pk, head_id__in=member_ids).update(
        head=None, version=F("version") + 1
    )
    change = HouseholdChange.objects.create(
        unit_id=household.unit_id,
        entered_by=actor,
        kind=HouseholdChange.Kind.SPLIT,
        from_household=household,
        to_household=new,
        person_ids=sorted(member_ids),
        changed_on=changed_on,
    )
    audit_log(
        actor=actor,
        action="registry.household.split",
        target=change,
        org_unit_id=household.unit_id,
        detail={"from": household.pk, "to": new.pk, "people": sorted(member_ids)},
    )
    return new


@transaction.atomic
def household_merge(
    *, actor: Any, source: Household, target: Household, changed_on: date
) -> Household:
    """Every member of `source` joins `target`; `source` is dissolved."""
    source = Household.objects.select_for_update().get(pk=source.pk)
    target = Household.objects.select_for_update().get(pk=target.pk)
    _not_future(changed_on, "changed_on")
    if source.pk == target.pk:
        raise FieldError("target", "不能与本户合并")
    if source.unit_id != target.unit_id:
        raise FieldError("target", "只能与同一村(居)的户合并")
    if source.dissolved_on or target.dissolved_on:
        raise FieldError("target", "已撤销的户不能合并")
    member_ids = sorted(source.members.values_list("pk", flat=True))
    Person.objects.filter(pk__in=member_ids).update(
        household=target, relation_to_head=Relation.OTHER, version=F("version") + 1
    )
    source.head = None
    source.dissolved_on = changed_on
    source.version += 1
    source.save(update_fields=["head", "dissolved_on", "version", "updated_at"])
    change = HouseholdChange.objects.create(
        unit_id=target.unit_id,
        entered_by=actor,
        kind=HouseholdChange.Kind.MERGE,
        from_household=source,
        to_household=target,
        person_ids=member_ids,
        changed_on=changed_on,
    )
    audit_log(
        actor=actor,
        action="registry.household.merged",
        target=change,
        org_unit_id=target.unit_id,
        detail={"from": source.pk, "to": target.pk, "people": member_ids},
    )
    return target


def _on_register(person: Person, field: str, what: str) -> None:
    """Refuse the dead and those who left: they cannot join a household or head one."""
    if person.status not in ON_REGISTER:
        raise FieldError(field, f"{person.name}已{person.get_status_display()}，不能{what}")


@transaction.atomic
def household_member_add(
    *, actor: Any, household: Household, person: Person, relation: str
) -> Person:
    """`person`, of the household's village and the actor's jurisdiction, joins the
    household with `relation` to its head, leaving the household they were in."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    person = Person.objects.select_for_update().get(pk=person.pk)
    _check_unit(actor, household.unit_id)
    if household.dissolved_on is not None:
        raise FieldError("household", "该户已撤销，不能添加成员")
    if not unit_in_scope(actor, person.unit_id):
        raise FieldError("person", "该人员不在您的管辖范围内")
    if person.unit_id != household.unit_id:
        raise FieldError("person", f"{person.name}不是本村(居)人员，请先办理居住地变更")
    _on_register(person, "person", "加入户")
    if person.household_id == household.pk:
        raise FieldError("person", f"{person.name}已是本户成员")
    if relation == Relation.HEAD:
        raise FieldError("relation", "添加成员不能选择“户主”；如需由其担任户主，请添加后变更户主")
    if relation not in Relation.values:
        raise FieldError("relation", "请选择与户主关系")
    headed = Household.objects.filter(head=person).exclude(pk=household.pk).first()
    if headed is not None:
        raise FieldError("person", f"{person.name}是户{headed.number}的户主，请先变更该户户主")
    previous = person.household_id
    Person.objects.filter(pk=person.pk).update(
        household=household, relation_to_head=relation, version=F("version") + 1
    )
    audit_log(
        actor=actor,
        action="registry.household.member_added",
        target=household,
        org_unit_id=household.unit_id,
        detail={"person": person.pk, "from": previous, "relation": relation},
    )
    person.refresh_from_db()
    return person


@transaction.atomic
def household_head_change(
    *,
    actor: Any,
    household: Household,
    new_head: Person,
    old_head_relation: str = Relation.OTHER,
) -> Household:
    """A member on the register becomes the head; the former head, if still a member,
    keeps `old_head_relation` to the new one."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    new_head = Person.objects.select_for_update().get(pk=new_head.pk)
    _check_unit(actor, household.unit_id)
    if household.dissolved_on is not None:
        raise FieldError("household", "该户已撤销，不能变更户主")
    if new_head.household_id != household.pk:
        raise FieldError("new_head", f"{new_head.name}不是本户成员，新户主须为本户成员")
    _on_register(new_head, "new_head", "作为户主")
    if household.head_id == new_head.pk:
        raise FieldError("new_head", f"{new_head.name}已是本户户主")
    if old_head_relation == Relation.HEAD or old_head_relation not in Relation.values:
        raise FieldError("old_head_relation", "请选择原户主与新户主的关系（不能为“户主”）")
    old_head_id = household.head_id
    if old_head_id is not None:
        # The former head may have died or left: the relation is kept for the record.
        Person.objects.filter(pk=old_head_id, household=household).update(
            relation_to_head=old_head_relation, version=F("version") + 1
        )
    _set_head(household, new_head)
    audit_log(
        actor=actor,
        action="registry.household.head_changed",
        target=household,
        org_unit_id=household.unit_id,
        detail={"from": old_head_id, "to": new_head.pk, "old_head_relation": old_head_relation},
    )
    return household
