"""Demo pre-pregnancy checks, follow-ups and folic acid for a generated county: about
the Huining 2017 plan's 3,047 couples a year (times the scale) over the last 15 months,
so the worklists hold follow-ups due, overdue and done, and the rates have data.

Cheap by design (a few thousand rows even for the full county, bulk inserts): the
couples are drawn from the registry just written, in one query. The first village of
the first township (the demo village worker's) always gets a few couples whose
follow-ups are due and overdue today, so her worklist is never empty."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db.models import F

from famplan.health.models import (
    FolicAcidFollowUp,
    FolicAcidIssue,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    PrePregnancyCheck,
    QuantityUnit,
    RiskFactor,
    RiskLevel,
)
from famplan.health.schedule import DEFAULT_COUNTY_TARGET, SCHEDULE, window
from famplan.orgunits.jurisdiction import code_prefix_filter
from famplan.orgunits.models import Level, OrgUnit
from famplan.registry.models import ON_REGISTER, Marriage

# Models the generator empties with the county's registry (they point at its people).
HEALTH_MODELS = (FolicAcidFollowUp, FolicAcidIssue, FollowUp, PrePregnancyCheck)
DAYS = 456  # fifteen months of checks
FACILITIES = ("会宁县妇幼保健计划生育服务中心", "会宁县人民医院", "乡镇卫生院")
# Days before today of the demo village's own couples: an early follow-up due, one
# overdue, an outcome follow-up due.
DEMO_VILLAGE_DAYS = (45, 100, 300, 60)
ADVICE_LOW = "建议孕前3个月开始每日服用叶酸0.4毫克"
ADVICE_HIGH = "建议专科咨询后再计划怀孕"
RESULT_WEIGHTS = {
    FollowUpKind.EARLY: (("pregnant", 55), ("not_pregnant", 38), ("unreachable", 5),
                         ("declined", 2)),
    FollowUpKind.OUTCOME: (("live_birth", 70), ("preterm", 4), ("birth_defect", 1),
                           ("miscarriage", 5), ("still_pregnant", 5), ("not_pregnant", 12),
                           ("unreachable", 3)),
}  # fmt: skip


def _couples(county_code: str, today: date) -> list[tuple[int, int, str]]:
    """(wife, husband, wife's village) of current marriages with the wife aged 20-40."""
    return list(
        Marriage.objects.filter(
            ended_on__isnull=True,
            wife__status__in=ON_REGISTER,
            wife__birth_date__gt=today.replace(year=today.year - 41),
            wife__birth_date__lte=today.replace(year=today.year - 20),
            **code_prefix_filter("wife__unit_id", county_code),
        )
        .order_by("pk")
        .values_list("wife_id", "husband_id", F("wife__unit_id"))
    )


def _demo_village(county_code: str) -> str:
    """The demo village worker's village (demo/users.py): the first village of the
    county's first township, by code."""
    townships = OrgUnit.objects.filter(
        level=Level.TOWNSHIP, **code_prefix_filter("code", county_code)
    )
    first = townships.order_by("code").values_list("code", flat=True).first() or county_code
    villages = OrgUnit.objects.filter(level=Level.VILLAGE, **code_prefix_filter("code", first))
    return villages.order_by("code").values_list("code", flat=True).first() or ""


def health_generate(*, county_code: str, scale: float, seed: int, today: date, by: int) -> dict:
    rng = random.Random(seed * 31 + 7)
    couples = _couples(county_code, today)
    if not couples:
        return {}
    per_year = max(1, round(DEFAULT_COUNTY_TARGET * scale))
    wanted = min(len(couples), round(per_year * DAYS / 365))
    chosen = rng.sample(couples, wanted)
    demo_village = _demo_village(county_code)
    own = [c for c in couples if c[2] == demo_village][: len(DEMO_VILLAGE_DAYS)]
    chosen = [c for c in chosen if c not in own]
    checks = []
    for i, (wife, husband, unit) in enumerate(own + chosen):
        days_ago = DEMO_VILLAGE_DAYS[i] if i < len(own) else rng.randrange(0, DAYS)
        high = rng.random() < 0.15
        factors = rng.sample(RiskFactor.values[:-1], rng.randint(1, 2)) if high else []
        checks.append(
            PrePregnancyCheck(
                unit_id=unit,
                wife_id=wife,
                husband_id=husband,
                checked_on=today - timedelta(days=days_ago),
                facility=rng.choice(FACILITIES),
                risk_level=RiskLevel.HIGH if high else RiskLevel.LOW,
                risk_factors=factors,
                advice=ADVICE_HIGH if high else ADVICE_LOW,
                entered_by_id=by,
            )
        )
    checks = PrePregnancyCheck.objects.bulk_create(checks, batch_size=500)
    followups = []
    for check in checks:
        for step in SCHEDULE:
            opens_on, due_on = window(check.checked_on, step)
            f = FollowUp(
                check_record=check,
                unit_id=check.unit_id,
                kind=step.kind,
                opens_on=opens_on,
                due_on=due_on,
            )
            # Follow-ups opened before today are mostly done, the demo village's not.
            if check.unit_id != demo_village and opens_on <= today and rng.random() < 0.85:
                last = min(due_on + timedelta(days=20), today)
                span = max((last - opens_on).days, 0)
                f.done_on = opens_on + timedelta(days=rng.randint(0, span))
                codes, weights = zip(*RESULT_WEIGHTS[step.kind], strict=True)
                f.result = rng.choices(codes, weights)[0]
                f.status, f.done_by_id = FollowUpStatus.DONE, by
            followups.append(f)
    FollowUp.objects.bulk_create(followups, batch_size=500)
    issues = [
        FolicAcidIssue(
            unit_id=c.unit_id,
            woman_id=c.wife_id,
            issued_on=c.checked_on,
            quantity=rng.choice((1, 2, 3)),
            quantity_unit=QuantityUnit.BOTTLE,
            entered_by_id=by,
        )
        for c in checks
        if rng.random() < 0.7
    ]
    issues = FolicAcidIssue.objects.bulk_create(issues, batch_size=500)
    visits = []
    for issue in issues:
        visited_on = issue.issued_on + timedelta(days=rng.randint(20, 45))
        if visited_on > today:
            continue
        taking = rng.random() < 0.91
        visits.append(
            FolicAcidFollowUp(
                issue=issue,
                unit_id=issue.unit_id,
                visited_on=visited_on,
                aware=rng.random() < 0.96,
                taking=taking,
                compliant=taking and rng.random() < 0.85,
                entered_by_id=by,
            )
        )
    FolicAcidFollowUp.objects.bulk_create(visits, batch_size=500)
    return {
        "health_checks": len(checks),
        "health_followups": len(followups),
        "folic_issues": len(issues),
        "folic_followups": len(visits),
    }
