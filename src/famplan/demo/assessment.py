"""`assessment_generate`: the demo county's assessment scheme for the current year, on
the Huining 2017 plan's targets, published (so its sample villages are drawn from the
demo seed), with the half-year field-check scores of every sample village.

Written through the assessment services (a few dozen rows: seconds at any scale), so
the demo holds exactly what the pages would write. The indicator items read the values
table: until the county refreshes the indicators they score 0 with "无统计数据"."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from famplan.accounts.models import User
from famplan.assessment import services
from famplan.assessment.models import ItemKind, Part, Rule, SampleVillage, Scheme
from famplan.orgunits.models import Level, OrgUnit

# (name, indicator, points, rule, step, step points, criteria): the plan's targets are the
# indicators' defaults (≤9‰, ≤107, ≥85%, 95/90/80%, ≥95%, ≥95%, 100%).
INDICATOR_ITEMS = [
    ("人口自然增长率控制在9‰以内", "natural_growth_rate", 10, Rule.ALL_OR_NOTHING, None, None),
    ("出生人口性别比控制在107以内", "sex_ratio_at_birth", 10, Rule.PROPORTIONAL, None, None),
    ("免费孕前优生健康检查覆盖率", "prepregnancy_check_coverage", 15, Rule.STEP, 1, 1),
    ("叶酸知晓率", "folic_awareness_rate", 5, Rule.PROPORTIONAL, None, None),
    ("叶酸服用率", "folic_uptake_rate", 5, Rule.PROPORTIONAL, None, None),
    ("叶酸依从率", "folic_compliance_rate", 5, Rule.PROPORTIONAL, None, None),
    ("免费避孕药具可及率", "supply_availability_rate", 10, Rule.STEP, 1, 2),
    ("个案信息准确率", "data_quality_rate", 10, Rule.PROPORTIONAL, None, None),
    ("奖励扶助资金兑现率", "benefit_payment_rate", 10, Rule.ALL_OR_NOTHING, None, None),
]
MANUAL_ITEMS = [
    ("宣传服务到户", 10, "入户核查宣传资料、服务记录和群众知晓情况"),
    ("台账与服务记录", 10, "抽查台账与实际相符，随访和服务记录签字齐全"),
]


# A township's own scheme for its villages (乡镇对村考核): every village checked.
TOWNSHIP_ITEMS = [
    ("群众满意度与宣传服务到户", 40, "入户了解群众对服务的评价，查看宣传资料发放"),
    ("台账与个案信息准确", 30, "核对村级台账与人口信息系统一致"),
    ("特殊家庭联系与走访", 30, "查看双岗联系人走访记录"),
]


@dataclass(frozen=True)
class AssessmentResult:
    skipped: bool
    samples: int = 0
    scores: int = 0
    village_scores: int = 0  # the demo township's own scheme, every village


def assessment_generate(*, county: OrgUnit, seed: int, today: date) -> AssessmentResult:
    """The scheme of today's year, the same for the same seed; nothing when it exists."""
    with transaction.atomic():
        if Scheme.objects.filter(unit=county, year=today.year).exists():
            return AssessmentResult(skipped=True)
        inspector = User.objects.filter(username="county_admin", org_unit=county).first()
        if inspector is None:  # the scheme is the county admin's: no admin, no scheme
            return AssessmentResult(skipped=True)
        scheme = services.scheme_create(
            actor=inspector,
            unit=county,
            year=today.year,
            title=f"{county.name}{today.year}年度人口计生目标管理责任制考核方案",
            seed=seed,
        )
        for name, indicator, points, rule, step, step_points in INDICATOR_ITEMS:
            services.item_add(
                actor=inspector,
                scheme=scheme,
                name=name,
                kind=ItemKind.INDICATOR,
                indicator=indicator,
                points=Decimal(points),
                rule=rule,
                step=step,
                step_points=Decimal(step_points) if step_points else None,
            )
        manual = [
            services.item_add(
                actor=inspector,
                scheme=scheme,
                name=name,
                kind=ItemKind.MANUAL,
                points=Decimal(points),
                criteria=criteria,
            )
            for name, points, criteria in MANUAL_ITEMS
        ]
        scheme = services.scheme_publish(actor=inspector, scheme=scheme)
        rng = random.Random(f"{seed}:assessment")
        samples = list(SampleVillage.objects.filter(scheme=scheme).select_related("village"))
        scores = 0
        # The half-year check only: the annual one is the county's to enter at year end.
        for sample in samples:
            scores += services.field_scores_record(
                actor=inspector,
                scheme=scheme,
                village=sample.village,
                scores={
                    (item.pk, Part.HALF): (str(rng.randint(14, 20) / 2), "半年实地核查")
                    for item in manual
                },
            )
        village_scores = _township_scheme(county, today, rng)
    return AssessmentResult(
        skipped=False, samples=len(samples), scores=scores, village_scores=village_scores
    )


def _township_scheme(county: OrgUnit, today: date, rng: random.Random) -> int:
    """The demo township clerk's scheme for her villages, published, with half-year
    scores of every village; 0 when the demo has no township clerk."""
    clerk = (
        User.objects.filter(
            username="township_clerk", org_unit__parent=county, org_unit__level=Level.TOWNSHIP
        )
        .select_related("org_unit")
        .first()
    )
    if clerk is None:
        return 0
    township = clerk.org_unit
    scheme = services.scheme_create(
        actor=clerk,
        unit=township,
        year=today.year,
        title=f"{township.name}{today.year}年度村级目标管理责任制考核方案",
        half_weight=40,
    )
    items = [
        services.item_add(
            actor=clerk,
            scheme=scheme,
            name=name,
            kind=ItemKind.MANUAL,
            points=Decimal(points),
            criteria=criteria,
        )
        for name, points, criteria in TOWNSHIP_ITEMS
    ]
    scheme = services.scheme_publish(actor=clerk, scheme=scheme)
    scores = 0
    for sample in SampleVillage.objects.filter(scheme=scheme).select_related("village"):
        scores += services.field_scores_record(
            actor=clerk,
            scheme=scheme,
            village=sample.village,
            scores={
                (item.pk, Part.HALF): (
                    str(rng.randint(int(item.points) * 6, int(item.points) * 10) / 10),
                    "半年核查",
                )
                for item in items
            },
        )
    return scores
