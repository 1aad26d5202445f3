"""Writes of the care app: special families (confirmed from the registry or entered by
hand, edited, closed), help given, assignments (包村包户 and a family's two contacts)
and visits. Each is keyword-only, atomic, and writes its audit row; a refusal is a
FieldError naming the field, in Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from famplan.audit.services import audit_log
from famplan.care.candidates import candidates
from famplan.care.models import (
    Assignment,
    ContactSide,
    FamilyKind,
    FamilySource,
    FamilyStatus,
    Help,
    HelpKind,
    Need,
    SpecialFamily,
    TargetKind,
    Visit,
)
from famplan.care.rules import PhoneInvalid, parse_phone
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.orgunits.jurisdiction import jurisdiction_code, unit_in_scope
from famplan.orgunits.models import CODE_LENGTH, Level, OrgUnit
from famplan.registry.models import Household
from famplan.registry.services.errors import FieldError

EARLIEST = date(2000, 1, 1)
MAX_AMOUNT = Decimal("1000000")
OUTSIDE = "不存在或不在您的管辖范围内"


def _township_or_above(actor: Any) -> None:
    code = jurisdiction_code(actor) or ""
    if not code or len(code) > CODE_LENGTH[Level.TOWNSHIP]:
        raise DomainError("特殊家庭由乡镇确认和登记，请由乡镇专干办理")


def _day(field: str, label: str, day: date, *, not_before: date = EARLIEST) -> None:
    if day > today():
        raise FieldError(field, f"{label}不能晚于今天")
    if day < not_before:
        raise FieldError(field, f"{label}不能早于{not_before:%Y-%m-%d}")


def _phone(field: str, raw: str, *, required: bool) -> str:
    if not (raw or "").strip() and not required:
        return ""
    try:
        return parse_phone(raw)
    except PhoneInvalid as exc:
        raise FieldError(field, str(exc)) from None


def _needs(needs: list[str]) -> list[str]:
    unknown = set(needs) - set(Need.values)
    if unknown:
        raise FieldError("needs", "需求选项无效")
    return [n for n in Need.values if n in needs]  # the plan's order


# --- special families ------------------------------------------------------------------


@transaction.atomic
def family_confirm(
    *, actor: Any, child_id: int, needs: list[str] | None = None, confirmed_on: date | None = None
) -> SpecialFamily:
    """Confirm a registry candidate (its child's key) as a special family: its facts
    are read again now, so a candidate that no longer fits is refused."""
    _township_or_above(actor)
    found = candidates(jurisdiction_code(actor), child_ids=[child_id])
    if not found:
        raise DomainError(
            "该家庭已确认、已核实不符，或不再符合特殊家庭条件（或不在您的管辖范围内）"
        )
    c = found[0]
    day = confirmed_on or today()
    _day("confirmed_on", "确认日期", day)
    family = SpecialFamily.objects.create(
        unit_id=c.unit_id,
        kind=c.kind,
        status=FamilyStatus.CONFIRMED,
        source=FamilySource.REGISTRY,
        mother_id=c.mother and c.mother["pk"],
        father_id=c.father and c.father["pk"],
        child_id=c.child["pk"],
        name=c.name,
        phone=c.phone,
        needs=_needs(needs or []),
        confirmed_on=day,
        confirmed_by=actor,
        entered_by=actor,
    )
    audit_log(
        actor=actor,
        action="care.family.confirmed",
        target=family,
        org_unit_id=family.unit_id,
        detail={"kind": family.kind, "child": c.child["pk"]},
    )
    return family


@transaction.atomic
def family_dismiss(*, actor: Any, child_id: int, reason: str) -> SpecialFamily:
    """Record that a registry candidate is not a special family (the township checked):
    it leaves the candidate list, with the reason kept."""
    _township_or_above(actor)
    if not reason.strip():
        raise FieldError("reason", "请填写核实不符的原因")
    found = candidates(jurisdiction_code(actor), child_ids=[child_id])
    if not found:
        raise DomainError("该家庭已处理，或不在您的管辖范围内")
    c = found[0]
    family = SpecialFamily.objects.create(
        unit_id=c.unit_id,
        kind=c.kind,
        status=FamilyStatus.DISMISSED,
        source=FamilySource.REGISTRY,
        mother_id=c.mother and c.mother["pk"],
        father_id=c.father and c.father["pk"],
        child_id=c.child["pk"],
        name=c.name,
        close_reason=reason.strip()[:200],
        entered_by=actor,
    )
    audit_log(
        actor=actor,
        action="care.family.dismissed",
        target=family,
        org_unit_id=family.unit_id,
        detail={"reason": family.close_reason},
    )
    return family


def _village(actor: Any, unit: OrgUnit | None) -> OrgUnit:
    if unit is None or unit.level != Level.VILLAGE or not unit_in_scope(actor, unit.code):
        raise FieldError("unit", f"所选村(居){OUTSIDE}")
    return unit


@transaction.atomic
def family_create(
    *,
    actor: Any,
    unit: OrgUnit,
    kind: str,
    name: str,
    phone: str = "",
    address: str = "",
    needs: list[str] | None = None,
    needs_note: str = "",
    confirmed_on: date,
    mother: Any = None,
    father: Any = None,
    detail: dict[str, Any] | None = None,
) -> SpecialFamily:
    """A special family entered by hand (the registry does not show it: a child who
    died elsewhere, an adoption...). The parents may be named from the registry."""
    phone, needs = family_check(
        actor=actor, unit=unit, kind=kind, name=name, phone=phone, needs=needs or [],
        confirmed_on=confirmed_on, mother=mother, father=father,
    )  # fmt: skip
    family = SpecialFamily.objects.create(
        unit=unit,
        kind=kind,
        status=FamilyStatus.CONFIRMED,
        source=FamilySource.MANUAL,
        mother=mother,
        father=father,
        name=name.strip(),
        phone=phone,
        address=address,
        needs=needs,
        needs_note=needs_note,
        confirmed_on=confirmed_on,
        confirmed_by=actor,
        entered_by=actor,
    )
    audit_log(
        actor=actor,
        action="care.family.created",
        target=family,
        org_unit_id=unit.code,
        detail={"kind": kind, **(detail or {})},
    )
    return family


def family_check(
    *,
    actor: Any,
    unit: OrgUnit,
    kind: str,
    name: str,
    phone: str,
    needs: list[str],
    confirmed_on: date,
    mother: Any = None,
    father: Any = None,
) -> tuple[str, list[str]]:
    """The rules of a family entered by hand, for the form and the import alike:
    FieldError naming the field, or the phone and needs as stored."""
    _township_or_above(actor)
    _village(actor, unit)
    if kind not in FamilyKind.values:
        raise FieldError("kind", "请选择类别")
    if not name.strip():
        raise FieldError("name", "请填写家庭(父母姓名)")
    _day("confirmed_on", "确认日期", confirmed_on)
    for field, parent in (("mother", mother), ("father", father)):
        if parent is not None and not unit_in_scope(actor, parent.unit_id):
            raise FieldError(field, f"该人员{OUTSIDE}")
    taken = SpecialFamily.objects.exclude(status=FamilyStatus.DISMISSED)
    for field, parent in (("mother", mother), ("father", father)):
        if parent is not None and taken.filter(**{field: parent}).exists():
            raise FieldError(field, f"{parent.name}已在特殊家庭名册中")
    return _phone("phone", phone, required=False), _needs(needs)


def _locked(family: SpecialFamily, version: int | None) -> SpecialFamily:
    locked = SpecialFamily.objects.select_for_update().get(pk=family.pk)
    if version is not None and locked.version != version:
        raise DomainError("该家庭信息已被他人修改，请刷新页面后重新编辑")
    return locked


@transaction.atomic
def family_update(
    *,
    actor: Any,
    family: SpecialFamily,
    version: int,
    phone: str,
    address: str,
    needs: list[str],
    needs_note: str,
) -> SpecialFamily:
    """Edit what changes over time: the phone, the address, the needs."""
    locked = _locked(family, version)
    if not unit_in_scope(actor, locked.unit_id):
        raise DomainError(f"该家庭{OUTSIDE}")
    changes = {
        "phone": _phone("phone", phone, required=False),
        "address": address,
        "needs": _needs(needs),
        "needs_note": needs_note,
    }
    changed = sorted(k for k, v in changes.items() if getattr(locked, k) != v)
    for key, value in changes.items():
        setattr(locked, key, value)
    locked.version += 1
    locked.save(update_fields=[*changes, "version"])
    audit_log(
        actor=actor,
        action="care.family.updated",
        target=locked,
        org_unit_id=locked.unit_id,
        detail={"changed": changed},
    )
    return locked


@transaction.atomic
def family_close(
    *, actor: Any, family: SpecialFamily, closed_on: date, reason: str
) -> SpecialFamily:
    """A family leaves the register (both parents died, moved away ...): its contacts'
    assignments end the same day; its history stays."""
    _township_or_above(actor)
    locked = _locked(family, None)
    if not unit_in_scope(actor, locked.unit_id):
        raise DomainError(f"该家庭{OUTSIDE}")
    if locked.status != FamilyStatus.CONFIRMED:
        raise DomainError("该家庭不在册，不能退出")
    if not reason.strip():
        raise FieldError("reason", "请填写退出原因")
    _day("closed_on", "退出日期", closed_on, not_before=locked.confirmed_on or EARLIEST)
    locked.status, locked.closed_on = FamilyStatus.CLOSED, closed_on
    locked.close_reason = reason.strip()[:200]
    locked.version += 1
    locked.save(update_fields=["status", "closed_on", "close_reason", "version"])
    Assignment.objects.filter(family=locked, ends_on__isnull=True).update(ends_on=closed_on)
    audit_log(
        actor=actor,
        action="care.family.closed",
        target=locked,
        org_unit_id=locked.unit_id,
        detail={"reason": locked.close_reason},
    )
    return locked


@transaction.atomic
def help_record(
    *,
    actor: Any,
    family: SpecialFamily,
    kind: str,
    given_on: date,
    amount: Decimal | None = None,
    description: str = "",
) -> Help:
    if not unit_in_scope(actor, family.unit_id):
        raise DomainError(f"该家庭{OUTSIDE}")
    if family.status == FamilyStatus.DISMISSED:
        raise DomainError("该家庭已核实不符，不是特殊家庭")
    if kind not in HelpKind.values:
        raise FieldError("kind", "帮扶类别选项无效")
    _day("given_on", "帮扶日期", given_on)
    if family.closed_on and given_on > family.closed_on:
        raise FieldError("given_on", f"该家庭已于{family.closed_on:%Y-%m-%d}退出")
    if amount is not None and not (Decimal(0) < amount <= MAX_AMOUNT):
        raise FieldError("amount", f"金额应大于0且不超过{MAX_AMOUNT:,.0f}元")
    if amount is None and not description.strip():
        raise FieldError("description", "请填写金额或帮扶内容")
    help_ = Help.objects.create(
        family=family,
        unit_id=family.unit_id,
        kind=kind,
        amount=amount,
        description=description.strip(),
        given_on=given_on,
        entered_by=actor,
    )
    audit_log(
        actor=actor,
        action="care.help.recorded",
        target=help_,
        org_unit_id=family.unit_id,
        detail={"family": family.pk, "kind": kind, "amount": str(amount) if amount else None},
    )
    return help_


# --- targets: a village, a household or a special family -------------------------------


def target_unit(
    actor: Any,
    kind: str,
    *,
    village: OrgUnit | None = None,
    household: Household | None = None,
    family: SpecialFamily | None = None,
) -> str:
    """The village of a target, checked to be in the actor's jurisdiction."""
    if kind == TargetKind.VILLAGE:
        return _village(actor, village).code
    if kind == TargetKind.HOUSEHOLD:
        if household is None or not unit_in_scope(actor, household.unit_id):
            raise FieldError("household", f"该户{OUTSIDE}")
        if household.dissolved_on:
            raise FieldError("household", f"户{household.number}已撤销")
        return household.unit_id
    if kind == TargetKind.FAMILY:
        if family is None or not unit_in_scope(actor, family.unit_id):
            raise FieldError("family", f"该家庭{OUTSIDE}")
        if family.status != FamilyStatus.CONFIRMED:
            raise FieldError("family", "该家庭不在册")
        return family.unit_id
    raise FieldError("target_kind", "对象类型无效")


@transaction.atomic
def assignment_create(
    *,
    actor: Any,
    target_kind: str,
    role: str,
    starts_on: date,
    village: OrgUnit | None = None,
    household: Household | None = None,
    family: SpecialFamily | None = None,
    user: Any = None,
    name: str = "",
    phone: str = "",
    side: str = "",
) -> Assignment:
    """Assign a person (a famplan user, or a named person with a phone) to a village, a
    household or a special family. A family has two contacts (双岗), one per side; a new
    one for a side waits until the old one is ended."""
    unit = target_unit(actor, target_kind, village=village, household=household, family=family)
    if user is not None:
        # Someone working above or at the target: the county, its township, the village.
        if not user.is_active or not user.org_unit_id or not unit.startswith(user.org_unit_id):
            raise FieldError("user", "所选账号不在该村(居)所属的县、乡镇或本村(居)")
        name = user.full_name or user.username
        phone = _phone("phone", phone or getattr(user, "phone", "") or "", required=False)
    else:
        name = name.strip()
        if not name:
            raise FieldError("name", "请选择责任人账号，或填写责任人姓名")
        phone = _phone("phone", phone, required=True)
    _day("starts_on", "起始日期", starts_on)
    if target_kind == TargetKind.FAMILY:
        if side not in ContactSide.values:
            raise FieldError("side", "请选择联系人岗位（乡镇联系人或村级联系人）")
        held = Assignment.objects.filter(family=family, side=side, ends_on__isnull=True).first()
        if held:
            raise FieldError(
                "side", f"该家庭已有{ContactSide(side).label}（{held.name}），请先结束原联系人"
            )
    else:
        side = ""
    same = Assignment.objects.filter(
        target_kind=target_kind,
        ends_on__isnull=True,
        unit_id=unit,
        household=household if target_kind == TargetKind.HOUSEHOLD else None,
        family=family if target_kind == TargetKind.FAMILY else None,
    )
    same = same.filter(user=user) if user is not None else same.filter(user=None, name=name)
    if same.exists():
        raise FieldError("name", f"{name}已负责该对象")
    assignment = Assignment.objects.create(
        unit_id=unit,
        target_kind=target_kind,
        household=household if target_kind == TargetKind.HOUSEHOLD else None,
        family=family if target_kind == TargetKind.FAMILY else None,
        user=user,
        name=name,
        phone=phone,
        role=role,
        side=side,
        starts_on=starts_on,
        entered_by=actor,
    )
    audit_log(
        actor=actor,
        action="care.assignment.created",
        target=assignment,
        org_unit_id=unit,
        detail={"kind": target_kind, "role": role, "side": side},
    )
    return assignment


@transaction.atomic
def assignment_end(*, actor: Any, assignment: Assignment, ends_on: date) -> Assignment:
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if not unit_in_scope(actor, locked.unit_id):
        raise DomainError(f"该责任{OUTSIDE}")
    if locked.ends_on is not None:
        raise DomainError(f"该责任已于{locked.ends_on:%Y-%m-%d}结束")
    if ends_on < locked.starts_on:
        raise FieldError("ends_on", "结束日期不能早于起始日期")
    if ends_on > today():
        raise FieldError("ends_on", "结束日期不能晚于今天")
    locked.ends_on = ends_on
    locked.save(update_fields=["ends_on"])
    audit_log(
        actor=actor, action="care.assignment.ended", target=locked, org_unit_id=locked.unit_id
    )
    return locked


@dataclass(frozen=True)
class CheckedVisit:
    unit: str  # the target's village
    signed: str  # the visitor's name as signed
    by_user: Any  # the famplan user who visited, where known


def visit_check(
    *,
    actor: Any,
    target_kind: str,
    visited_on: date,
    content: str,
    visitor_name: str = "",
    assignment: Assignment | None = None,
    village: OrgUnit | None = None,
    household: Household | None = None,
    family: SpecialFamily | None = None,
) -> CheckedVisit:
    """The rules of a visit, for the form and the import alike: FieldError naming the
    field, or what the visit records."""
    unit = target_unit(actor, target_kind, village=village, household=household, family=family)
    _day("visited_on", "走访日期", visited_on)
    if assignment is not None:
        same_target = (
            assignment.target_kind == target_kind
            and assignment.unit_id == unit
            and assignment.household_id == (household.pk if household else None)
            and assignment.family_id == (family.pk if family else None)
        )
        if not same_target:
            raise FieldError("assignment", "所选责任人不负责该对象")
        if not assignment.open_on(visited_on):
            raise FieldError("assignment", f"{assignment.name}在{visited_on:%Y-%m-%d}不负责该对象")
    if not content.strip():
        raise FieldError("content", "请填写走访内容")
    signed = visitor_name.strip() or (assignment.name if assignment else "")
    signed = signed or actor.full_name or actor.username
    by_user = assignment.user if assignment and assignment.user_id else None
    if by_user is None and signed in (actor.full_name, actor.username):
        by_user = actor
    return CheckedVisit(unit, signed[:50], by_user)


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    target_kind: str,
    visited_on: date,
    content: str,
    visitor_name: str = "",
    next_step: str = "",
    assignment: Assignment | None = None,
    village: OrgUnit | None = None,
    household: Household | None = None,
    family: SpecialFamily | None = None,
    detail: dict[str, Any] | None = None,
) -> Visit:
    """Log a visit of a village, a household or a special family. `assignment`: the
    responsibility it fulfils (one of the target's); the visit is signed by
    `visitor_name` (the assignment's person, else the one entering it)."""
    checked = visit_check(
        actor=actor,
        target_kind=target_kind,
        visited_on=visited_on,
        content=content,
        visitor_name=visitor_name,
        assignment=assignment,
        village=village,
        household=household,
        family=family,
    )
    unit, signed, by_user = checked.unit, checked.signed, checked.by_user
    visit = Visit.objects.create(
        unit_id=unit,
        target_kind=target_kind,
        household=household if target_kind == TargetKind.HOUSEHOLD else None,
        family=family if target_kind == TargetKind.FAMILY else None,
        assignment=assignment,
        visited_on=visited_on,
        visitor=by_user,
        visitor_name=signed,
        content=content.strip(),
        next_step=next_step.strip(),
        entered_by=actor,
    )
    audit_log(
        actor=actor,
        action="care.visit.recorded",
        target=visit,
        org_unit_id=unit,
        detail={
            "kind": target_kind,
            "assignment": assignment.pk if assignment else None,
            **(detail or {}),
        },
    )
    return visit
