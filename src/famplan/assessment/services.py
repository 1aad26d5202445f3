"""Writes of the assessment: schemes and their items, publishing (which draws the sample
villages), field-check scores and vetoes. Each refuses in Chinese and audits."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from famplan.assessment.models import (
    FieldScore,
    Item,
    ItemKind,
    Part,
    Rule,
    SampleVillage,
    Scheme,
    SchemeStatus,
    Veto,
)
from famplan.assessment.scoring import draw_sample
from famplan.assessment.selectors import assessed_units
from famplan.audit.services import audit_log
from famplan.common.errors import DomainError
from famplan.indicators.indicators import INDICATORS
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.orgunits.models import Level, OrgUnit

# Indicators a township may be scored on: services delivered, benefits paid, data
# quality, and the county's population targets. Never a share of births by order or
# anything a contraceptive or birth quota could hide behind.
ASSESSABLE_INDICATORS = [
    "natural_growth_rate",
    "sex_ratio_at_birth",
    "hospital_delivery_rate",
    "prepregnancy_check_coverage",
    "followup_on_time_rate",
    "folic_awareness_rate",
    "folic_uptake_rate",
    "folic_compliance_rate",
    "supply_availability_rate",
    "delivery_record_rate",
    "benefit_payment_rate",
    "data_quality_rate",
    "migrant_contact_rate",
    "timeliness_rate",
]
ASSESSABLE_INDICATORS = [c for c in ASSESSABLE_INDICATORS if c in INDICATORS]

# Words that mark a coercive item (famplan never builds these; see the brief).
FORBIDDEN_WORDS = (
    "结扎",
    "绝育",
    "上环",
    "放环",
    "取环",
    "引产",
    "流产",
    "人流",
    "孕检",
    "环孕",
    "社会抚养费",
    "计划外",
    "政策外",
    "超生",
    "罚款",
    "补救措施",
    "四术",
)


class AssessmentError(DomainError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _check_assessor(actor: Any, scheme: Scheme) -> None:
    """Only the scheme's own unit (or a unit above it) writes it: a township never edits,
    scores or vetoes in the county's scheme that assesses it."""
    if not unit_in_scope(actor, scheme.unit_id):
        raise AssessmentError(f"该考核方案由{scheme.unit.name}管理，您不能修改。")


def _check_draft(scheme: Scheme) -> None:
    if scheme.is_published:
        raise AssessmentError("方案已发布，不能再修改考核项目。")


def _editable(actor: Any, scheme_pk: int) -> Scheme:
    """The scheme, locked, for a change of its items or its publishing: the actor's own
    scheme, still a draft."""
    scheme = Scheme.objects.select_for_update().select_related("unit").get(pk=scheme_pk)
    _check_assessor(actor, scheme)
    _check_draft(scheme)
    return scheme


def _check_words(text: str, field: str) -> None:
    for word in FORBIDDEN_WORDS:
        if word in text:
            raise AssessmentError(
                f"考核项目不得涉及“{word}”：考核只针对服务提供、奖励扶助兑现、数据质量和宣传等工作。",
                field,
            )


@transaction.atomic
def scheme_create(
    *,
    actor: Any,
    unit: OrgUnit,
    year: int,
    title: str,
    half_weight: int = 30,
    veto_effect: str = "no_rank",
    seed: int | None = None,
) -> Scheme:
    if unit.level not in (Level.COUNTY, Level.TOWNSHIP):
        raise AssessmentError("考核方案由县级（考核乡镇）或乡镇（考核村）编制。", "unit")
    if not unit_in_scope(actor, unit.code):
        raise AssessmentError("只能为本单位编制考核方案。", "unit")
    if not 0 <= half_weight <= 100:
        raise AssessmentError("半年考核权重应在0到100之间。", "half_weight")
    if Scheme.objects.filter(unit=unit, year=year).exists():
        raise AssessmentError(f"{unit.name}{year}年的考核方案已存在。", "year")
    scheme = Scheme.objects.create(
        unit=unit,
        year=year,
        title=title.strip() or f"{year}年度目标管理责任制考核方案",
        half_weight=half_weight,
        veto_effect=veto_effect,
        seed=seed if seed is not None else secrets.randbelow(10**6),
        created_by=actor,
    )
    audit_log(
        actor=actor,
        action="assessment.scheme.created",
        target=scheme,
        org_unit_id=unit.code,
        detail={"year": year, "seed": scheme.seed},
    )
    return scheme


def _item_fields(
    scheme: Scheme,
    *,
    name: str,
    kind: str,
    points: Decimal,
    indicator: str,
    rule: str,
    step: float | None,
    step_points: Decimal | None,
    criteria: str,
    replacing: Item | None = None,
) -> dict[str, Any]:
    """An item's fields as the rules allow them, for adding and for editing alike."""
    name = name.strip()
    if not name:
        raise AssessmentError("请填写考核项目名称。", "name")
    _check_words(name, "name")
    _check_words(criteria, "criteria")
    if points is None or points <= 0:
        raise AssessmentError("分值应大于0。", "points")
    if kind == ItemKind.INDICATOR:
        if indicator not in ASSESSABLE_INDICATORS:
            raise AssessmentError("请选择可用于考核的指标。", "indicator")
        if rule not in Rule.values:
            raise AssessmentError("请选择计分规则。", "rule")
        if rule == Rule.STEP and not (step and step > 0 and step_points and step_points > 0):
            raise AssessmentError("按档扣分需填写每档差距和每档扣分（均大于0）。", "step")
    elif kind == ItemKind.MANUAL:
        indicator, rule, step, step_points = "", "", None, None
    else:
        raise AssessmentError("请选择考核项目类型。", "kind")
    others = scheme.items.exclude(pk=replacing.pk) if replacing else scheme.items.all()
    used = sum((i.points for i in others), Decimal(0))
    if used + points > 100:
        raise AssessmentError(
            f"各考核项目分值合计不能超过100分（已有{used}分，本项{points}分）。", "points"
        )
    return {
        "name": name,
        "kind": kind,
        "indicator": indicator,
        "points": points,
        "rule": rule,
        "step": step if rule == Rule.STEP else None,
        "step_points": step_points if rule == Rule.STEP else None,
        "criteria": criteria.strip(),
    }


@transaction.atomic
def item_add(
    *,
    actor: Any,
    scheme: Scheme,
    name: str,
    kind: str,
    points: Decimal,
    indicator: str = "",
    rule: str = "",
    step: float | None = None,
    step_points: Decimal | None = None,
    criteria: str = "",
) -> Item:
    scheme = _editable(actor, scheme.pk)
    fields = _item_fields(
        scheme, name=name, kind=kind, points=points, indicator=indicator, rule=rule,
        step=step, step_points=step_points, criteria=criteria,
    )  # fmt: skip
    item = Item.objects.create(scheme=scheme, order=scheme.items.count() + 1, **fields)
    audit_log(
        actor=actor,
        action="assessment.item.added",
        target=item,
        org_unit_id=scheme.unit_id,
        detail={"scheme": scheme.pk, "points": str(item.points), "kind": item.kind},
    )
    return item


@transaction.atomic
def item_update(
    *,
    actor: Any,
    item: Item,
    name: str,
    kind: str,
    points: Decimal,
    indicator: str = "",
    rule: str = "",
    step: float | None = None,
    step_points: Decimal | None = None,
    criteria: str = "",
) -> Item:
    """Change an item of a draft scheme in place, by the rules of adding one."""
    scheme = _editable(actor, item.scheme_id)
    item = Item.objects.get(pk=item.pk)
    fields = _item_fields(
        scheme, name=name, kind=kind, points=points, indicator=indicator, rule=rule,
        step=step, step_points=step_points, criteria=criteria, replacing=item,
    )  # fmt: skip
    changed = {
        key: [str(getattr(item, key)), str(value)]
        for key, value in fields.items()
        if getattr(item, key) != value
    }
    for key, value in fields.items():
        setattr(item, key, value)
    item.save(update_fields=list(fields))
    audit_log(
        actor=actor,
        action="assessment.item.updated",
        target=item,
        org_unit_id=scheme.unit_id,
        detail={"scheme": scheme.pk, "changed": changed},
    )
    return item


@transaction.atomic
def item_delete(*, actor: Any, item: Item) -> None:
    scheme = _editable(actor, item.scheme_id)
    audit_log(
        actor=actor,
        action="assessment.item.deleted",
        target=item,
        org_unit_id=scheme.unit_id,
        detail={"scheme": scheme.pk, "name": item.name},
    )
    item.delete()


@transaction.atomic
def scheme_publish(*, actor: Any, scheme: Scheme) -> Scheme:
    """Fix the scheme and draw every township's sample villages from its seed (a
    township's scheme checks every one of its villages: no draw)."""
    scheme = _editable(actor, scheme.pk)
    total = sum((i.points for i in scheme.items.all()), Decimal(0))
    if total != 100:
        raise AssessmentError(f"各考核项目分值合计应为100分，现为{total}分。")
    if scheme.by_township:
        rows = [
            SampleVillage(scheme=scheme, township_id=v.code, village_id=v.code)
            for v in assessed_units(scheme)
        ]
    else:
        villages: dict[str, list[str]] = {}
        for code in OrgUnit.objects.filter(
            level=Level.VILLAGE, code__startswith=scheme.unit_id
        ).values_list("code", flat=True):
            villages.setdefault(code[:9], []).append(code)
        rows = [
            SampleVillage(scheme=scheme, township_id=t.code, village_id=v)
            for t in assessed_units(scheme)
            for v in draw_sample(scheme.seed, t.code, villages.get(t.code, []))
        ]
    SampleVillage.objects.bulk_create(rows)
    scheme.status = SchemeStatus.PUBLISHED
    scheme.published_at = timezone.now()
    scheme.save(update_fields=["status", "published_at"])
    audit_log(
        actor=actor,
        action="assessment.scheme.published",
        target=scheme,
        org_unit_id=scheme.unit_id,
        detail={"seed": scheme.seed, "samples": len(rows)},
    )
    return scheme


def parse_score(raw: Any, points: Decimal, label: str) -> Decimal | None:
    """A typed score: None when left empty, else a number from 0 to the item's points
    with at most one decimal place; anything else is refused naming the item."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    try:
        number = Decimal(text)
    except (ArithmeticError, ValueError):
        raise AssessmentError(f"{label}：请输入数字。") from None
    if not number.is_finite():
        raise AssessmentError(f"{label}：请输入数字。")
    if number < 0 or number > points:
        raise AssessmentError(f"{label}：得分应在0到{points}分之间。")
    if number != number.quantize(Decimal("0.1")):
        raise AssessmentError(f"{label}：得分最多一位小数。")
    return number.quantize(Decimal("0.1"))


@transaction.atomic
def field_scores_record(
    *,
    actor: Any,
    scheme: Scheme,
    village: OrgUnit,
    scores: Mapping[tuple[int, str], tuple[Any, str]],
) -> int:
    """The inspector's scores of the manual items in one sample village:
    {(item id, part): (score or "" to leave empty, note)}. All or none are written."""
    _check_assessor(actor, scheme)
    if not scheme.is_published:
        raise AssessmentError("方案发布并抽取样本村后才能录入核查得分。")
    if not SampleVillage.objects.filter(scheme=scheme, village=village).exists():
        raise AssessmentError(
            f"{village.name}不是本方案的{scheme.checked_label}，不能录入核查得分。"
        )
    items = {i.pk: i for i in scheme.items.filter(kind=ItemKind.MANUAL)}
    written = 0
    for (item_id, part), (raw, note) in scores.items():
        item = items.get(item_id)
        if item is None:
            raise AssessmentError("只有实地核查项目可以录入得分。")
        if part not in Part.values:
            raise AssessmentError("考核阶段无效。")
        score = parse_score(raw, item.points, f"{item.name}（{Part(part).label}）")
        if score is None:
            continue
        _check_words(note or "", "note")
        FieldScore.objects.update_or_create(
            item=item,
            village=village,
            part=part,
            defaults={"score": score, "note": (note or "").strip(), "inspector": actor},
        )
        written += 1
    if written:
        audit_log(
            actor=actor,
            action="assessment.scores.recorded",
            target=scheme,
            org_unit_id=village.code,
            detail={"village": village.code, "scores": written},
        )
    return written


@transaction.atomic
def veto_record(
    *, actor: Any, scheme: Scheme, township: OrgUnit, reason: str, evidence: str
) -> Veto:
    _check_assessor(actor, scheme)
    if township.parent_id != scheme.unit_id or township.level != scheme.assessed_level:
        where = "本乡镇的村(居)" if scheme.by_township else "本县的乡镇"
        raise AssessmentError(f"请选择{where}。", "township")
    evidence = evidence.strip()
    if not evidence:
        raise AssessmentError("请写明否决的事实与依据。", "evidence")
    if Veto.objects.filter(scheme=scheme, township=township).exists():
        raise AssessmentError(f"{township.name}已被一票否决。", "township")
    veto = Veto.objects.create(
        scheme=scheme, township=township, reason=reason, evidence=evidence, recorded_by=actor
    )
    audit_log(
        actor=actor,
        action="assessment.veto.recorded",
        target=veto,
        org_unit_id=township.code,
        detail={"scheme": scheme.pk, "reason": reason},
    )
    return veto
