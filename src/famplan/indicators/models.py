"""Indicator values (one table keyed by unit, period and measure), their runs, and targets.

Values are counts per village and month, derived up to quarters, half-years and years
and rolled up to townships, counties, cities and provinces by code prefix. A run
replaces the values of whole calendar years, so a rerun never adds twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from famplan.indicators.periods import PeriodType


class ValuesRun(models.Model):
    """One refresh of the values of years first_year..last_year (when, by whom, how long)."""

    first_year = models.PositiveSmallIntegerField("起始年份")
    last_year = models.PositiveSmallIntegerField("截止年份")
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
    rows = models.PositiveIntegerField("写入数值数", default=0)
    seconds = models.FloatField("用时(秒)", default=0)

    class Meta:
        verbose_name = "指标计算"
        verbose_name_plural = "指标计算"
        indexes = [models.Index(fields=["finished_at"], name="valuesrun_finished")]

    def __str__(self) -> str:
        return f"指标计算 {self.first_year}-{self.last_year}"


class MeasureValue(models.Model):
    # No index and no database constraints on these two: a refresh writes hundreds of
    # thousands of rows, only the roll-up right after the insert reads by run, and every
    # unit code comes from registry rows whose own foreign keys were checked.
    # Empty for a manual data element (elements.py): entered through a form, no run.
    run = models.ForeignKey(
        ValuesRun,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
        null=True,
        blank=True,
    )
    # The unit's code is the column's value (OrgUnit's key), so scoping is a range on it.
    # No index of its own: every read names the period first, so the key's index serves
    # it, and a second index, kept in unit order while the rows arrive in key order,
    # doubled a rebuild's writing time.
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    period_type = models.CharField("周期", max_length=7, choices=PeriodType.choices)
    period_start = models.DateField("周期起始日")
    measure = models.CharField("计数项", max_length=40)
    # Counts only: every stored value adds up across units (the mean population is
    # derived from start and end when read, never stored).
    value = models.BigIntegerField("数值")

    class Meta:
        verbose_name = "指标数值"
        verbose_name_plural = "指标数值"
        constraints = [
            # Also the index the reports read by: one period, a range of unit codes.
            models.UniqueConstraint(
                fields=["period_type", "period_start", "unit", "measure"],
                name="measurevalue_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.period_type} {self.period_start} {self.measure}={self.value}"


class Direction(models.TextChoices):
    AT_MOST = "le", "不高于"
    AT_LEAST = "ge", "不低于"
    BETWEEN = "between", "介于"


class Target(models.Model):
    """What a unit aims for on one indicator in one year."""

    indicator = models.CharField("指标", max_length=40)
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    direction = models.CharField("方向", max_length=7, choices=Direction.choices)
    low = models.FloatField("下限", null=True, blank=True)
    high = models.FloatField("上限", null=True, blank=True)
    # The unit whose target this was copied from ("" when set for the unit itself).
    copied_from = models.CharField("下达单位", max_length=12, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    set_at = models.DateTimeField("设定时间", auto_now=True)

    class Meta:
        verbose_name = "指标目标"
        verbose_name_plural = "指标目标"
        constraints = [
            models.UniqueConstraint(fields=["year", "unit", "indicator"], name="target_key")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.indicator}"
