"""Work plans and campaigns (工作方案/专项活动): phases with dates, tasks with a target
count per unit, progress reported by the units, and a bulletin (进度通报) frozen on each
dispatch date (通报日期), the last of them the final check (验收).

A plan belongs to the unit that makes it (a county for its townships, a township for
its villages) and is addressed to some of that unit's children (`CampaignUnit`). Tasks
are about services, publicity, visits and data work; a task may take its progress from
an indicators measure (the records themselves) instead of the units' reports.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CampaignKind(models.TextChoices):
    PLAN = "plan", "工作方案"
    CAMPAIGN = "campaign", "专项活动"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    ACTIVE = "active", "实施中"
    CLOSED = "closed", "已验收"


class Split(models.TextChoices):
    EVEN = "even", "平均分解"
    MANUAL = "manual", "逐单位填写"
    POPULATION = "population", "按常住人口比例分解"


class DispatchKind(models.TextChoices):
    PROGRESS = "progress", "进度通报"
    FINAL = "final", "验收"


class Campaign(models.Model):
    # The unit that makes the plan: the jurisdiction key of who manages it.
    owner = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="制定单位", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=10, choices=CampaignKind.choices)
    title = models.CharField("名称", max_length=100)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField(
        "状态", max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    published_at = models.DateTimeField("下发时间", null=True, blank=True)

    class Meta:
        verbose_name = "工作方案"
        verbose_name_plural = "工作方案"
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["owner", "starts_on"], name="campaign_owner_start")]

    def __str__(self) -> str:
        return self.title


class CampaignUnit(models.Model):
    """A unit the plan is addressed to: it gets targets, reports and is ranked."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="任务单位", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "任务单位"
        verbose_name_plural = "任务单位"
        ordering = ["unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="campaignunit_unique")
        ]
        # Plans addressed to a subtree: the scoping range on unit, then the plan.
        indexes = [models.Index(fields=["unit", "campaign"], name="campaignunit_unit")]

    def __str__(self) -> str:
        return str(self.unit_id)


class Phase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField("阶段名称", max_length=60)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    order = models.PositiveSmallIntegerField("顺序", default=1)

    class Meta:
        verbose_name = "阶段"
        verbose_name_plural = "阶段"
        ordering = ["campaign", "starts_on", "order"]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    phase = models.ForeignKey(
        Phase, verbose_name="所属阶段", on_delete=models.SET_NULL, null=True, blank=True
    )
    name = models.CharField("任务", max_length=100)
    count_unit = models.CharField("计量单位", max_length=10, help_text="如：户、人次、场、份")
    split = models.CharField("目标分解", max_length=12, choices=Split.choices)
    total = models.PositiveIntegerField("总目标数", default=0)
    # A measure of indicators/measures.py (campaigns.measures.LINKABLE): progress is
    # counted from the records over the plan's months, and nobody reports it.
    measure = models.CharField("统计口径", max_length=40, blank=True)
    order = models.PositiveSmallIntegerField("顺序", default=1)

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务"
        ordering = ["campaign", "order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def linked(self) -> bool:
        return bool(self.measure)


class TaskTarget(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="任务单位", on_delete=models.PROTECT, related_name="+"
    )
    target = models.PositiveIntegerField("目标数")

    class Meta:
        verbose_name = "任务目标"
        verbose_name_plural = "任务目标"
        constraints = [models.UniqueConstraint(fields=["task", "unit"], name="tasktarget_unique")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.target}"


class ProgressReport(models.Model):
    """A unit's cumulative count done on a task, as reported on a day. Append-only: the
    latest report up to a day is the unit's figure then, so a bulletin can be drawn as
    of its dispatch date even when published later."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="任务单位", on_delete=models.PROTECT, related_name="+"
    )
    done = models.PositiveIntegerField("累计完成数")
    reported_on = models.DateField("报送日期")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="报送人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "进度报送"
        verbose_name_plural = "进度报送"
        indexes = [
            models.Index(fields=["task", "unit", "reported_on"], name="progress_task_unit_day"),
            models.Index(fields=["unit", "reported_on"], name="progress_unit_day"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.done}"


class Dispatch(models.Model):
    """A set date on which the plan's progress is bulletined (通报日期); FINAL is the
    closing check (验收)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="dispatches")
    day = models.DateField("通报日期")
    kind = models.CharField(
        "类别", max_length=10, choices=DispatchKind.choices, default=DispatchKind.PROGRESS
    )

    class Meta:
        verbose_name = "通报日期"
        verbose_name_plural = "通报日期"
        ordering = ["campaign", "day"]
        constraints = [models.UniqueConstraint(fields=["campaign", "day"], name="dispatch_unique")]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d}"


class Bulletin(models.Model):
    """The progress as it stood on a dispatch date, frozen when published: its lines
    are copies, so later reports never change it."""

    dispatch = models.OneToOneField(Dispatch, on_delete=models.PROTECT, related_name="bulletin")
    published_at = models.DateTimeField("发布时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The task headers as they were: [{"id", "name", "count_unit", "linked"}].
    tasks = models.JSONField("任务", default=list)

    class Meta:
        verbose_name = "进度通报"
        verbose_name_plural = "进度通报"

    def __str__(self) -> str:
        return f"通报 {self.dispatch.day:%Y-%m-%d}"


class BulletinLine(models.Model):
    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="lines")
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="任务单位", on_delete=models.PROTECT, related_name="+"
    )
    unit_name = models.CharField("单位名称", max_length=100)
    rank = models.PositiveSmallIntegerField("名次")
    # Per mille of the mean task completion (each task capped at 100%).
    rate = models.PositiveSmallIntegerField("完成率(‰)")
    # [[target, done], ...] in the order of Bulletin.tasks.
    figures = models.JSONField("各项任务", default=list)
    late = models.BooleanField("逾期未报", default=False)
    named_last = models.BooleanField("后三名", default=False)
    passed = models.BooleanField("验收合格", null=True, blank=True)

    class Meta:
        verbose_name = "通报明细"
        verbose_name_plural = "通报明细"
        ordering = ["bulletin", "rank", "unit_id"]

    def __str__(self) -> str:
        return f"{self.rank} {self.unit_name}"

    @property
    def percent(self) -> float:
        return self.rate / 10
