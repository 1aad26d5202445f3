"""The care services: every refusal with its message, nothing written on a refusal,
the audit rows."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from famplan.audit.models import AuditEntry
from famplan.care import services
from famplan.care.models import (
    Assignment,
    ContactSide,
    FamilyKind,
    FamilyStatus,
    Help,
    TargetKind,
    TeamRole,
    Visit,
)
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.orgunits.models import OrgUnit
from famplan.registry.services.errors import FieldError

from .conftest import OTHER, VILLAGE, contact, household, visit

pytestmark = pytest.mark.django_db


def _refused(field: str, match: str, call, *args, **kwargs):
    with pytest.raises(FieldError, match=match) as caught:
        call(*args, **kwargs)
    assert caught.value.field == field


def test_a_family_entered_by_hand_is_audited_and_checked(township_clerk, other_clerk, units):
    args = dict(kind=FamilyKind.CHILD_DISABLED, name="孙某、钱某", confirmed_on=today())
    family = services.family_create(
        actor=township_clerk, unit=units[VILLAGE], phone="139 1234 5678", **args
    )
    assert family.phone == "13912345678" and family.status == FamilyStatus.CONFIRMED
    assert AuditEntry.objects.filter(
        action="care.family.created", target_id=str(family.pk)
    ).exists()
    _refused(
        "unit",
        "不在您的管辖范围内",
        services.family_create,
        actor=other_clerk,
        unit=units[VILLAGE],
        **args,
    )
    _refused(
        "unit",
        "不在您的管辖范围内",
        services.family_create,
        actor=township_clerk,
        unit=units["620422100"],
        **args,
    )
    _refused(
        "phone",
        "7到12位",
        services.family_create,
        actor=township_clerk,
        unit=units[VILLAGE],
        phone="12",
        **args,
    )
    _refused(
        "confirmed_on",
        "不能晚于今天",
        services.family_create,
        actor=township_clerk,
        unit=units[VILLAGE],
        **{**args, "confirmed_on": today() + timedelta(days=1)},
    )


def test_a_family_has_one_contact_per_side(township_clerk, family):
    first = contact(township_clerk, family)
    assert first.unit_id == VILLAGE and first.side == ContactSide.VILLAGE
    _refused("side", "已有村级联系人（李医生）", contact, township_clerk, family, name="王医生")
    contact(township_clerk, family, side=ContactSide.TOWNSHIP, name="周干部")
    services.assignment_end(actor=township_clerk, assignment=first, ends_on=today())
    contact(township_clerk, family, name="王医生")
    assert Assignment.objects.filter(family=family, ends_on__isnull=True).count() == 2
    _refused("side", "请选择联系人岗位", contact, township_clerk, family, side="")


def test_an_assignment_names_a_user_above_the_target_or_a_person_with_a_phone(
    township_clerk, other_clerk, village_worker, units
):
    h = household()
    made = services.assignment_create(
        actor=township_clerk,
        target_kind=TargetKind.HOUSEHOLD,
        household=h,
        user=village_worker,
        role=TeamRole.VILLAGE_WORKER,
        starts_on=today(),
    )
    assert made.name == "village_worker" and made.unit_id == VILLAGE
    _refused(
        "name",
        "已负责该对象",
        services.assignment_create,
        actor=township_clerk,
        target_kind=TargetKind.HOUSEHOLD,
        household=h,
        user=village_worker,
        role=TeamRole.VILLAGE_WORKER,
        starts_on=today(),
    )
    _refused(
        "user",
        "所属的县、乡镇或本村",
        services.assignment_create,
        actor=township_clerk,
        target_kind=TargetKind.VILLAGE,
        village=units["620422100201"],
        user=village_worker,
        role=TeamRole.CADRE,
        starts_on=today(),
    )
    _refused(
        "phone",
        "请填写联系电话",
        services.assignment_create,
        actor=township_clerk,
        target_kind=TargetKind.VILLAGE,
        village=units[VILLAGE],
        name="孙干部",
        role=TeamRole.CADRE,
        starts_on=today(),
    )
    _refused(
        "household",
        "不在您的管辖范围内",
        services.assignment_create,
        actor=other_clerk,
        target_kind=TargetKind.HOUSEHOLD,
        household=h,
        name="孙干部",
        phone="13900000000",
        role=TeamRole.CADRE,
        starts_on=today(),
    )
    assert Assignment.objects.count() == 1
    with pytest.raises(FieldError, match="早于起始日期"):
        services.assignment_end(
            actor=township_clerk, assignment=made, ends_on=today() - timedelta(days=1)
        )


def test_a_visit_is_signed_and_checked(township_clerk, village_worker, other_clerk, family):
    mine = contact(township_clerk, family, user=village_worker)
    made = visit(village_worker, family, assignment=mine)
    assert (made.visitor, made.visitor_name, made.unit_id) == (
        village_worker,
        "village_worker",
        VILLAGE,
    )
    assert AuditEntry.objects.filter(action="care.visit.recorded").count() == 1
    h = household()
    _refused(
        "assignment",
        "不负责该对象",
        services.visit_record,
        actor=village_worker,
        target_kind=TargetKind.HOUSEHOLD,
        household=h,
        visited_on=today(),
        content="x",
        assignment=mine,
    )
    _refused(
        "visited_on", "不能晚于今天", visit, village_worker, family, today() + timedelta(days=1)
    )
    _refused(
        "assignment",
        "不负责该对象",
        visit,
        village_worker,
        family,
        today() - timedelta(days=200),
        mine,
    )
    _refused(
        "content",
        "请填写走访内容",
        services.visit_record,
        actor=village_worker,
        target_kind=TargetKind.FAMILY,
        family=family,
        visited_on=today(),
        content=" ",
    )
    _refused("family", "不在您的管辖范围内", visit, other_clerk, family)
    assert Visit.objects.count() == 1


def test_help_and_closing(township_clerk, village_worker, family):
    services.help_record(
        actor=township_clerk,
        family=family,
        kind="medical",
        given_on=today(),
        amount=Decimal("500.00"),
    )
    _refused(
        "amount",
        "金额应大于0",
        services.help_record,
        actor=township_clerk,
        family=family,
        kind="medical",
        given_on=today(),
        amount=Decimal("0"),
    )
    _refused(
        "description",
        "请填写金额或帮扶内容",
        services.help_record,
        actor=township_clerk,
        family=family,
        kind="living",
        given_on=today(),
    )
    assert Help.objects.count() == 1
    c = contact(township_clerk, family)
    with pytest.raises(DomainError, match="由乡镇确认"):
        services.family_close(actor=village_worker, family=family, closed_on=today(), reason="迁出")
    services.family_close(actor=township_clerk, family=family, closed_on=today(), reason="迁出")
    c.refresh_from_db()
    assert c.ends_on == today()
    family.refresh_from_db()
    _refused("family", "该家庭不在册", visit, township_clerk, family)


def test_an_edit_refuses_a_stale_version(township_clerk, family):
    services.family_update(
        actor=township_clerk,
        family=family,
        version=family.version,
        phone="",
        address="东关1号",
        needs=["medical"],
        needs_note="",
    )
    with pytest.raises(DomainError, match="已被他人修改"):
        services.family_update(
            actor=township_clerk,
            family=family,
            version=family.version,
            phone="",
            address="x",
            needs=[],
            needs_note="",
        )
    _refused(
        "needs",
        "需求选项无效",
        services.family_update,
        actor=township_clerk,
        family=family,
        version=family.version + 1,
        phone="",
        address="",
        needs=["fines"],
        needs_note="",
    )


__all__ = ["OTHER", "OrgUnit", "date"]
