"""Writes of the health records: pre-pregnancy checks (with their follow-ups), closing
a follow-up, folic acid issues and their follow-ups, the townships' targets.

Rules once: each record's check is a pure function over the facts (`check_*`, a list
of FieldError), its writer does every side effect for many records (`*_write`); the
service (`*_record`) finds the people, checks and writes one; the import runs the same
check and writer over a whole file. Audit rows in the same transaction, written last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Substr
from django.utils import timezone

from famplan.audit.services import audit_log, audit_log_many
from famplan.common.dates import today
from famplan.common.errors import DomainError
from famplan.common.text import InvalidText, clean_text
from famplan.health.models import (
    CheckTarget,
    FolicAcidFollowUp,
    FolicAcidIssue,
    FollowUp,
    FollowUpStatus,
    PrePregnancyCheck,
    QuantityUnit,
    RiskFactor,
    RiskLevel,
)
from famplan.health.people import PersonRef, people_lookup, pick, pick_husband
from famplan.health.schedule import (
    CHILDBEARING_AGES,
    FOLIC_MAX,
    RESULTS,
    SCHEDULE,
    SPLIT_BASIS,
    result_choices,
    window,
)
from famplan.orgunits.jurisdiction import scope, unit_in_scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.models import MARRIED, ON_REGISTER, Person, Sex
from famplan.registry.services.errors import FieldError


class StateError(DomainError):
    """The record is not in a state that allows this step."""


def clean(value: str, field_name: str, label: str, max_length: int) -> str:
    try:
        value = clean_text(value or "")
    except InvalidText as exc:
        raise FieldError(field_name, f"{label}{exc}") from None
    if len(value) > max_length:
        raise FieldError(field_name, f"{label}最多{max_length}个字")
    return value


def _clean_into(problems: list[FieldError], value: str, name: str, label: str, n: int) -> str:
    try:
        return clean(value, name, label, n)
    except FieldError as exc:
        problems.append(exc)
        return value


# --- pre-pregnancy checks ------------------------------------------------------------


@dataclass
class CheckData:
    """What the form (or a file's row) gives: the spouses as named, and the check."""

    wife: PersonRef
    husband: PersonRef
    checked_on: date
    facility: str
    risk_level: str
    risk_factors: list[str] = field(default_factory=list)
    advice: str = ""


@dataclass
class CheckEntry:
    """A check with its people found: what check_check judges and checks_write writes."""

    wife: Person
    husband: Person
    checked_on: date
    facility: str
    risk_level: str
    risk_factors: list[str]
    advice: str


def check_check(entry: CheckEntry, taken: set[tuple[int, date]]) -> list[FieldError]:
    """Every refusal of one check. `taken`: (wife pk, date) of the checks already
    recorded (and, in a file, of the rows before). Cleans the entry's text in place."""
    problems: list[FieldError] = []
    if entry.wife.sex != Sex.FEMALE:
        problems.append(FieldError("wife", "女方应为女性，请核对女方身份证号"))
    if entry.husband.sex != Sex.MALE:
        problems.append(FieldError("husband", "男方应为男性，请核对男方身份证号"))
    if entry.checked_on > today():
        problems.append(FieldError("checked_on", "检查日期不能晚于今天"))
    elif entry.checked_on < entry.wife.birth_date:
        problems.append(FieldError("checked_on", "检查日期早于女方出生日期，请核对"))
    entry.facility = _clean_into(problems, entry.facility, "facility", "检查机构", 100)
    if not entry.facility:
        problems.append(FieldError("facility", "请填写检查机构"))
    if entry.risk_level not in RiskLevel.values:
        problems.append(FieldError("risk_level", "风险评估应为低风险或高风险"))
    unknown = [f for f in entry.risk_factors if f not in RiskFactor.values]
    if unknown:
        problems.append(FieldError("risk_factors", f"风险因素无法识别：{'、'.join(unknown)}"))
    if entry.risk_level == RiskLevel.HIGH and not entry.risk_factors:
        problems.append(FieldError("risk_factors", "高风险须选择至少一项风险因素"))
    order = {code: i for i, code in enumerate(RiskFactor.values)}
    entry.risk_factors = sorted(set(entry.risk_factors), key=lambda f: order.get(f, len(order)))
    entry.advice = _clean_into(problems, entry.advice, "advice", "咨询指导意见", 500)
    if (entry.wife.pk, entry.checked_on) in taken:
        problems.append(
            FieldError("checked_on", f"女方在 {entry.checked_on:%Y-%m-%d} 已有孕前优生健康检查记录")
        )
    return problems


def taken_checks(wife_pks: Iterable[int]) -> set[tuple[int, date]]:
    pks = sorted(set(wife_pks))
    return set(
        PrePregnancyCheck.objects.filter(wife_id__in=pks).values_list("wife_id", "checked_on")
    )


def checks_write(
    *, actor: Any, entries: list[CheckEntry], detail: dict | None = None
) -> list[PrePregnancyCheck]:
    """Write checked entries: each check in the wife's village, its follow-ups on the
    schedule, one audit row each."""
    checks = PrePregnancyCheck.objects.bulk_create(
        [
            PrePregnancyCheck(
                unit_id=e.wife.unit_id,
                wife=e.wife,
                husband=e.husband,
                checked_on=e.checked_on,
                facility=e.facility,
                risk_level=e.risk_level,
                risk_factors=e.risk_factors,
                advice=e.advice,
                entered_by=actor,
            )
            for e in entries
        ]
    )
    followups = []
    for check in checks:
        for step in SCHEDULE:
            opens_on, due_on = window(check.checked_on, step)
            followups.append(
                FollowUp(
                    check_record=check,
                    unit_id=check.unit_id,
                    kind=step.kind,
                    opens_on=opens_on,
                    due_on=due_on,
                )
            )
    FollowUp.objects.bulk_create(followups)
    audit_log_many(
        actor=actor,
        action="health.check.recorded",
        targets=checks,
        detail=detail,
        org_unit_attr="unit_id",
    )
    return checks


def check_entry(actor: Any, data: CheckData) -> CheckEntry:
    """The entry of one form: the spouses found (FieldError if not)."""
    lookup = people_lookup(actor, [data.wife, data.husband], husbands=True)
    wife = pick(lookup, data.wife, field="wife", label="女方")
    husband = pick_husband(lookup, wife, data.husband)
    return CheckEntry(
        wife,
        husband,
        data.checked_on,
        data.facility,
        data.risk_level,
        list(data.risk_factors),
        data.advice,
    )


@transaction.atomic
def check_record(*, actor: Any, data: CheckData) -> PrePregnancyCheck:
    """A township records a couple's pre-pregnancy check; its follow-ups fall due on
    the schedule. Refuses with the first problem (a FieldError naming the field)."""
    entry = check_entry(actor, data)
    # Lock the wife's row: two clerks entering the same check at once would both pass
    # the duplicate check.
    Person.objects.select_for_update().filter(pk=entry.wife.pk).first()
    problems = check_check(entry, taken_checks([entry.wife.pk]))
    if problems:
        raise problems[0]
    return checks_write(actor=actor, entries=[entry])[0]


# --- follow-ups ----------------------------------------------------------------------


def check_followup(
    *, kind: str, checked_on: date, result: str, done_on: date | None, note: str
) -> tuple[list[FieldError], str]:
    """Every refusal of a follow-up's result, and the cleaned note."""
    problems: list[FieldError] = []
    if result not in RESULTS.get(kind, ()):
        allowed = "、".join(label for _, label in result_choices(kind))
        problems.append(FieldError("result", f"随访结果应为以下之一：{allowed}"))
    if done_on is None:
        problems.append(FieldError("done_on", "请填写随访日期"))
    elif done_on > today():
        problems.append(FieldError("done_on", "随访日期不能晚于今天"))
    elif done_on < checked_on:
        problems.append(FieldError("done_on", f"随访日期不能早于检查日期（{checked_on:%Y-%m-%d}）"))
    note = _clean_into(problems, note, "note", "备注", 300)
    return problems, note


@transaction.atomic
def followup_record(
    *, actor: Any, followup: FollowUp, result: str, done_on: date | None, note: str = ""
) -> FollowUp:
    """A village worker closes a follow-up by recording what it found."""
    followup = (
        FollowUp.objects.select_for_update().select_related("check_record").get(pk=followup.pk)
    )
    if not unit_in_scope(actor, followup.unit_id):
        raise StateError("该随访不在您的管辖范围内")
    if followup.status != FollowUpStatus.OPEN:
        raise StateError("该随访已登记结果，不能重复登记")
    problems, note = check_followup(
        kind=followup.kind,
        checked_on=followup.check_record.checked_on,
        result=result,
        done_on=done_on,
        note=note,
    )
    if problems:
        raise problems[0]
    followup.status = FollowUpStatus.DONE
    followup.result, followup.done_on, followup.note = result, done_on, note
    followup.done_at, followup.done_by = timezone.now(), actor
    followup.version += 1
    followup.save(
        update_fields=["status", "result", "done_on", "note", "done_at", "done_by", "version"]
    )
    audit_log(
        actor=actor,
        action="health.followup.recorded",
        target=followup,
        org_unit_id=followup.unit_id,
        detail={
            "check": followup.check_record_id,
            "kind": followup.kind,
            "result": result,
            "overdue": done_on > followup.due_on,
        },
    )
    return followup


# --- folic acid ----------------------------------------------------------------------


@dataclass
class FolicData:
    woman: PersonRef
    issued_on: date
    quantity: int
    quantity_unit: str
    note: str = ""


@dataclass
class FolicEntry:
    woman: Person
    issued_on: date
    quantity: int
    quantity_unit: str
    note: str


def check_folic_issue(entry: FolicEntry) -> list[FieldError]:
    problems: list[FieldError] = []
    if entry.woman.sex != Sex.FEMALE:
        problems.append(FieldError("woman", "叶酸发放对象应为女性，请核对身份证号"))
    if entry.issued_on > today():
        problems.append(FieldError("issued_on", "发放日期不能晚于今天"))
    elif entry.issued_on < entry.woman.birth_date:
        problems.append(FieldError("issued_on", "发放日期早于本人出生日期，请核对"))
    if entry.quantity_unit not in QuantityUnit.values:
        problems.append(FieldError("quantity_unit", "单位应为瓶或片"))
    else:
        most = FOLIC_MAX[entry.quantity_unit]
        label = QuantityUnit(entry.quantity_unit).label
        if not 1 <= entry.quantity <= most:
            problems.append(
                FieldError("quantity", f"数量应在1至{most}{label}之间（一次最多发放6个月用量）")
            )
    entry.note = _clean_into(problems, entry.note, "note", "备注", 300)
    return problems


def folic_issues_write(
    *, actor: Any, entries: list[FolicEntry], detail: dict | None = None
) -> list[FolicAcidIssue]:
    issues = FolicAcidIssue.objects.bulk_create(
        [
            FolicAcidIssue(
                unit_id=e.woman.unit_id,
                woman=e.woman,
                issued_on=e.issued_on,
                quantity=e.quantity,
                quantity_unit=e.quantity_unit,
                note=e.note,
                entered_by=actor,
            )
            for e in entries
        ]
    )
    audit_log_many(
        actor=actor,
        action="health.folic_issue.recorded",
        targets=issues,
        detail=detail,
        org_unit_attr="unit_id",
    )
    return issues


def folic_entry(actor: Any, data: FolicData) -> FolicEntry:
    lookup = people_lookup(actor, [data.woman])
    woman = pick(lookup, data.woman, field="woman", label="服用人")
    return FolicEntry(woman, data.issued_on, data.quantity, data.quantity_unit, data.note)


@transaction.atomic
def folic_issue_record(*, actor: Any, data: FolicData) -> FolicAcidIssue:
    """Folic acid handed to a woman of the actor's jurisdiction."""
    entry = folic_entry(actor, data)
    problems = check_folic_issue(entry)
    if problems:
        raise problems[0]
    return folic_issues_write(actor=actor, entries=[entry])[0]


@transaction.atomic
def folic_followup_record(
    *,
    actor: Any,
    issue: FolicAcidIssue,
    visited_on: date | None,
    aware: bool,
    taking: bool,
    compliant: bool,
    note: str = "",
) -> FolicAcidFollowUp:
    """A visit to a woman who received folic acid: does she know why, does she take it,
    as advised?"""
    if not unit_in_scope(actor, issue.unit_id):
        raise StateError("该叶酸发放记录不在您的管辖范围内")
    if visited_on is None:
        raise FieldError("visited_on", "请填写随访日期")
    if visited_on > today():
        raise FieldError("visited_on", "随访日期不能晚于今天")
    if visited_on < issue.issued_on:
        raise FieldError("visited_on", f"随访日期不能早于发放日期（{issue.issued_on:%Y-%m-%d}）")
    if compliant and not taking:
        raise FieldError("compliant", "未服用叶酸，不能登记为按要求服用")
    note = clean(note, "note", "备注", 300)
    followup = FolicAcidFollowUp.objects.create(
        issue=issue,
        unit_id=issue.unit_id,
        visited_on=visited_on,
        aware=aware,
        taking=taking,
        compliant=compliant,
        note=note,
        entered_by=actor,
    )
    audit_log(
        actor=actor,
        action="health.folic_followup.recorded",
        target=followup,
        org_unit_id=issue.unit_id,
        detail={"issue": issue.pk, "aware": aware, "taking": taking, "compliant": compliant},
    )
    return followup


# --- targets -------------------------------------------------------------------------


def married_women_by_township(county_code: str, on: date) -> dict[str, int]:
    """Married women of childbearing age on the register on `on`, per township: one
    grouped query over the county's people."""
    youngest, oldest = CHILDBEARING_AGES
    born_after = on.replace(year=on.year - oldest - 1)
    born_by = on.replace(year=on.year - youngest)
    rows = (
        Person.objects.filter(
            unit_id__gte=county_code,
            unit_id__lt=county_code + ":",
            sex=Sex.FEMALE,
            status__in=ON_REGISTER,
            marital_status__in=MARRIED,
            birth_date__gt=born_after,
            birth_date__lte=born_by,
        )
        .annotate(township=Substr("unit_id", 1, 9))
        .values("township")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["township"]: r["n"] for r in rows}


def split_largest_remainder(total: int, weights: dict[str, int]) -> dict[str, int]:
    """`total` split in proportion to `weights`, whole numbers that add up to `total`
    (largest remainder; ties to the lower code). Equal shares when all weights are 0."""
    if not weights:
        return {}
    keys = sorted(weights)
    base = sum(weights.values())
    if base == 0:
        weights, base = dict.fromkeys(keys, 1), len(keys)
    quotas = {k: total * weights[k] / base for k in keys}
    shares = {k: int(q) for k, q in quotas.items()}
    left = total - sum(shares.values())
    for k in sorted(keys, key=lambda k: (-(quotas[k] - shares[k]), k))[:left]:
        shares[k] += 1
    return shares


def _require_county(actor: Any) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=getattr(actor, "org_unit_id", None)).first()
    if unit is None or unit.level != Level.COUNTY:
        raise StateError("只有县级可以设定孕前优生检查目标")
    return unit


@transaction.atomic
def targets_split(*, actor: Any, year: int, total: int) -> dict[str, int]:
    """The county's target of the year split down to its townships by their share of
    married women of childbearing age on 1 January, replacing that year's figures."""
    county = _require_county(actor)
    if not 1 <= total <= 1_000_000:
        raise FieldError("total", "全县目标人数应在1至1000000之间")
    if not 2000 <= year <= 2100:
        raise FieldError("year", "年度无效")
    townships = list(
        scope(OrgUnit.objects.filter(level=Level.TOWNSHIP), actor, "code").values_list(
            "code", flat=True
        )
    )
    if not townships:
        raise StateError("本县没有乡镇，无法分解目标")
    women = married_women_by_township(county.code, date(year, 1, 1))
    weights = {t: women.get(t, 0) for t in townships}
    shares = split_largest_remainder(total, weights)
    basis = f"{SPLIT_BASIS}；全县{total}对；{year}年1月1日在册{sum(weights.values())}人"
    existing = {
        t.township_id: t for t in CheckTarget.objects.filter(year=year, township_id__in=townships)
    }
    for code, share in shares.items():
        target = existing.get(code) or CheckTarget(year=year, township_id=code)
        target.target, target.basis, target.set_by = share, basis, actor
        target.save()
    audit_log(
        actor=actor,
        action="health.target.split",
        org_unit_id=county.code,
        detail={"year": year, "total": total, "women": weights, "shares": shares},
    )
    return shares


@transaction.atomic
def target_set(*, actor: Any, year: int, township_code: str, target: int) -> CheckTarget:
    """The county changes one township's target of the year."""
    _require_county(actor)
    if not unit_in_scope(actor, township_code) or len(township_code) != 9:
        raise FieldError("township", "乡镇不存在或不在您的管辖范围内")
    if not 0 <= target <= 1_000_000:
        raise FieldError("target", "目标人数应在0至1000000之间")
    row = CheckTarget.objects.select_for_update().filter(year=year, township_id=township_code)
    record = row.first() or CheckTarget(year=year, township_id=township_code, basis="县级设定")
    before = record.target if record.pk else None
    if before is not None and before != target:
        record.basis = f"{record.basis}；县级调整为{target}"[-200:]
    record.target, record.set_by = target, actor
    record.save()
    audit_log(
        actor=actor,
        action="health.target.set",
        target=record,
        org_unit_id=township_code,
        detail={"year": year, "before": before, "after": target},
    )
    return record
