"""Pre-pregnancy checks (孕前优生健康检查), their scheduled follow-ups, the townships'
yearly targets, and folic acid (增补叶酸) issues with their follow-ups.

Every record carries its village in `unit` (the wife's or the woman's village at the
time of recording): the jurisdiction key, and with its date the (unit, date) index the
indicators engine groups by. A voluntary service: nothing here is a duty of the couple.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RiskLevel(models.TextChoices):
    LOW = "low", "低风险"
    HIGH = "high", "高风险"


class RiskFactor(models.TextChoices):
    """The common risk factors of the national project's assessment (a choices list;
    a factor not listed is "other" with the advice saying which)."""

    ADVANCED_AGE = "advanced_age", "高龄(35岁及以上)"
    GENETIC = "genetic", "遗传病或出生缺陷家族史"
    ADVERSE_HISTORY = "adverse_history", "不良孕产史"
    CHRONIC = "chronic", "慢性疾病(高血压、糖尿病、甲状腺疾病等)"
    INFECTION = "infection", "感染性疾病(乙肝、梅毒、TORCH等)"
    RUBELLA = "rubella", "风疹易感"
    ANEMIA = "anemia", "贫血"
    WEIGHT = "weight", "体重异常(过低或肥胖)"
    LIFESTYLE = "lifestyle", "不良生活习惯(吸烟、饮酒等)"
    EXPOSURE = "exposure", "有毒有害物质或职业暴露"
    MEDICATION = "medication", "长期用药"
    MENTAL = "mental", "心理或精神问题"
    OTHER = "other", "其他"


class FollowUpKind(models.TextChoices):
    EARLY = "early", "早孕随访"
    OUTCOME = "outcome", "妊娠结局随访"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "待随访"
    DONE = "done", "已随访"


class FollowUpResult(models.TextChoices):
    """What a follow-up found. Which results each kind takes: schedule.RESULTS."""

    PREGNANT = "pregnant", "已怀孕"
    NOT_PREGNANT = "not_pregnant", "未怀孕"
    LIVE_BIRTH = "live_birth", "正常活产"
    PRETERM = "preterm", "早产或低出生体重"
    BIRTH_DEFECT = "birth_defect", "出生缺陷"
    MISCARRIAGE = "miscarriage", "自然流产"
    STILLBIRTH = "stillbirth", "死胎死产"
    STILL_PREGNANT = "still_pregnant", "仍在孕期"
    OTHER = "other", "其他结局"
    UNREACHABLE = "unreachable", "失访(联系不上)"
    DECLINED = "declined", "本人不愿随访"


class PrePregnancyCheck(models.Model):
    """One couple's free pre-pregnancy check: both spouses from the registry."""

    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所属村(居)", on_delete=models.PROTECT, related_name="+"
    )
    wife = models.ForeignKey(
        "registry.Person", verbose_name="女方", on_delete=models.PROTECT, related_name="+"
    )
    husband = models.ForeignKey(
        "registry.Person", verbose_name="男方", on_delete=models.PROTECT, related_name="+"
    )
    checked_on = models.DateField("检查日期")
    facility = models.CharField("检查机构", max_length=100)
    risk_level = models.CharField("风险评估", max_length=10, choices=RiskLevel.choices)
    risk_factors = models.JSONField("风险因素", default=list, blank=True)
    advice = models.CharField("咨询指导意见", max_length=500, blank=True)
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "孕前优生健康检查"
        verbose_name_plural = "孕前优生健康检查"
        indexes = [
            models.Index(fields=["unit", "checked_on"], name="ppcheck_unit_date"),
            models.Index(fields=["checked_on"], name="ppcheck_date"),
            models.Index(fields=["wife", "checked_on"], name="ppcheck_wife"),
            models.Index(fields=["husband"], name="ppcheck_husband"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["wife", "checked_on"], name="ppcheck_wife_day")
        ]

    def __str__(self) -> str:
        return f"孕前优生健康检查 {self.checked_on}"

    def risk_factor_labels(self) -> list[str]:
        labels = dict(RiskFactor.choices)
        return [labels.get(code, code) for code in self.risk_factors]


class FollowUp(models.Model):
    """A follow-up of a check on its schedule (schedule.py): open from `opens_on`,
    due by `due_on`, overdue after; closed by recording its result."""

    check_record = models.ForeignKey(
        PrePregnancyCheck,
        verbose_name="孕前优生健康检查",
        on_delete=models.PROTECT,
        related_name="followups",
    )
    # The check's village, copied: the worklist is scoped on this table's own index.
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所属村(居)", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("随访类型", max_length=10, choices=FollowUpKind.choices)
    opens_on = models.DateField("开始随访日期")
    due_on = models.DateField("应随访截止日期")
    status = models.CharField(
        "状态", max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    result = models.CharField("随访结果", max_length=20, choices=FollowUpResult.choices, blank=True)
    done_on = models.DateField("随访日期", null=True, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)
    done_at = models.DateTimeField("录入时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="随访人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "孕前优生随访"
        verbose_name_plural = "孕前优生随访"
        indexes = [
            # The worklist: a village's (or township's) open follow-ups by due date.
            models.Index(fields=["status", "unit", "due_on"], name="ppfollow_worklist"),
            # On PostgreSQL only, made by migration 0002 (not declared here): an index on
            # (status, due_on) for the county-wide worklist. SQLite, without statistics,
            # would take it for a village's due list too, and that got slower
            # (docs/decisions.md, benchmarks/README.md).
            # Counts of follow-ups done per village and month (indicators).
            models.Index(fields=["unit", "done_on"], name="ppfollow_unit_done"),
            models.Index(fields=["unit", "due_on"], name="ppfollow_unit_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["check_record", "kind"], name="ppfollow_check_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class CheckTarget(models.Model):
    """A township's target count of couples checked in a year (the county's target
    split down; the county may edit each township's figure)."""

    year = models.PositiveSmallIntegerField("年度")
    township = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="乡镇(街道)", on_delete=models.PROTECT, related_name="+"
    )
    target = models.PositiveIntegerField("目标人数(对)")
    basis = models.CharField("分解依据", max_length=200, blank=True)
    set_at = models.DateTimeField("设定时间", auto_now=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设定人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "孕前优生检查目标"
        verbose_name_plural = "孕前优生检查目标"
        constraints = [
            models.UniqueConstraint(fields=["year", "township"], name="pptarget_year_township")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.township_id}: {self.target}"


class QuantityUnit(models.TextChoices):
    BOTTLE = "bottle", "瓶"
    TABLET = "tablet", "片"


class FolicAcidIssue(models.Model):
    """Folic acid handed to a woman planning a pregnancy: 0.4 mg a day from three months
    before it to three months into it (FOLIC_DOSE_MG)."""

    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所属村(居)", on_delete=models.PROTECT, related_name="+"
    )
    woman = models.ForeignKey(
        "registry.Person", verbose_name="服用人", on_delete=models.PROTECT, related_name="+"
    )
    issued_on = models.DateField("发放日期")
    quantity = models.PositiveIntegerField("数量")
    quantity_unit = models.CharField("单位", max_length=10, choices=QuantityUnit.choices)
    note = models.CharField("备注", max_length=300, blank=True)
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "叶酸发放"
        verbose_name_plural = "叶酸发放"
        indexes = [
            models.Index(fields=["unit", "issued_on"], name="folic_unit_date"),
            models.Index(fields=["issued_on"], name="folic_date"),
            models.Index(fields=["woman", "issued_on"], name="folic_woman"),
        ]

    def __str__(self) -> str:
        return f"叶酸发放 {self.issued_on}"


class FolicAcidFollowUp(models.Model):
    """A visit asking a woman who received folic acid what she knows and does:
    aware (知晓: why and how to take it), taking (服用), compliant (依从: as advised,
    0.4 mg every day)."""

    issue = models.ForeignKey(
        FolicAcidIssue, verbose_name="叶酸发放", on_delete=models.PROTECT, related_name="followups"
    )
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所属村(居)", on_delete=models.PROTECT, related_name="+"
    )
    visited_on = models.DateField("随访日期")
    aware = models.BooleanField("知晓")
    taking = models.BooleanField("服用")
    compliant = models.BooleanField("依从(按要求服用)")
    note = models.CharField("备注", max_length=300, blank=True)
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="随访人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "叶酸随访"
        verbose_name_plural = "叶酸随访"
        indexes = [models.Index(fields=["unit", "visited_on"], name="folicfu_unit_date")]

    def __str__(self) -> str:
        return f"叶酸随访 {self.visited_on}"
