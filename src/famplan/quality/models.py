"""Results of data-quality runs: the issues found, and per-village scores and tallies.

Issues, scores and tallies always hold the latest result for each village: a run over
a subtree deletes what an earlier run left for that subtree and writes its own, so a
rerun replaces instead of adding. Runs themselves are kept as history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Severity(models.TextChoices):
    ERROR = "error", "错误"
    WARNING = "warning", "警告"
    INFO = "info", "提示"


class QualityRun(models.Model):
    scope_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="检查范围", on_delete=models.PROTECT, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    people = models.PositiveIntegerField("在册人数", default=0)
    people_with_errors = models.PositiveIntegerField("有错误的人数", default=0)
    issues = models.PositiveIntegerField("问题数", default=0)
    counts = models.JSONField("各规则问题数", default=dict, blank=True)

    class Meta:
        verbose_name = "质量检查"
        verbose_name_plural = "质量检查"
        indexes = [models.Index(fields=["scope_unit", "finished_at"], name="qrun_scope")]

    def __str__(self) -> str:
        return f"质量检查 {self.scope_unit_id} {self.started_at:%Y-%m-%d %H:%M}"


class QualityIssue(models.Model):
    run = models.ForeignKey(QualityRun, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField("规则", max_length=40)
    severity = models.CharField("级别", max_length=10, choices=Severity.choices)
    record_type = models.CharField("记录类型", max_length=20)
    record_id = models.BigIntegerField("记录编号")
    # The person to open to fix the record (the child of a birth, the deceased …).
    # No database constraint: issues are a snapshot and must not block any registry edit.
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="村(居)", on_delete=models.PROTECT, related_name="+"
    )
    detail = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "质量问题"
        verbose_name_plural = "质量问题"
        indexes = [
            models.Index(fields=["unit", "rule"], name="qissue_unit_rule"),
            models.Index(fields=["person", "severity"], name="qissue_person"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.record_type}#{self.record_id}"


class QualityScore(models.Model):
    """One village's people on the register and those with an error-level issue."""

    run = models.ForeignKey(QualityRun, on_delete=models.CASCADE, related_name="+")
    unit = models.OneToOneField(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", primary_key=True
    )
    people = models.PositiveIntegerField(default=0)
    people_with_errors = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "村(居)合格率"
        verbose_name_plural = "村(居)合格率"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.people_with_errors}/{self.people}"


class QualityTally(models.Model):
    """One village's number of issues under one rule (rolled up by code prefix)."""

    run = models.ForeignKey(QualityRun, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=40)
    issues = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "问题计数"
        verbose_name_plural = "问题计数"
        constraints = [
            models.UniqueConstraint(fields=["unit", "rule"], name="qtally_unit_rule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.rule} {self.issues}"


class NumberConflict(models.Model):
    """Someone tried to use an ID or household number that a record outside their
    jurisdiction already holds. They were told only that the number cannot be used; the
    conflict waits here for someone whose jurisdiction holds both units (quality.conflicts)."""

    class Kind(models.TextChoices):
        ID_NUMBER = "id_number", "身份证号"
        HOUSEHOLD_NUMBER = "household_number", "户号"

    kind = models.CharField("号码类型", max_length=20, choices=Kind.choices)
    number = models.CharField("号码", max_length=30)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="使用人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The user's own unit, and the unit of the record that holds the number: the
    # conflict is seen only by users whose jurisdiction holds both.
    reporter_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="使用单位", on_delete=models.PROTECT, related_name="+"
    )
    holder_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="现登记单位", on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField("来源", max_length=40, blank=True)  # import type or service
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "号码冲突"
        verbose_name_plural = "号码冲突"
        indexes = [
            models.Index(fields=["reporter_unit", "created_at"], name="qconflict_reporter"),
            models.Index(fields=["holder_unit"], name="qconflict_holder"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}冲突 {self.created_at:%Y-%m-%d}"
