"""Target-responsibility assessment (目标管理责任制考核): a county's yearly scheme, its
items, the sample villages drawn from a recorded seed, field-check scores and vetoes."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from famplan.orgunits.models import Level


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", "编制中"
    PUBLISHED = "published", "已发布"


class VetoEffect(models.TextChoices):
    # What the scheme says a vetoed township gets: no place and no total, or a total of 0.
    NO_RANK = "no_rank", "不计总分、不参与排名"
    ZERO = "zero", "总分计0分、排在最后"


class Scheme(models.Model):
    """One county's assessment scheme (考核方案) for one year."""

    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="考核单位", on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("方案名称", max_length=100)
    # The half-year check's share of the year's total, in per cent (e.g. 30).
    half_weight = models.PositiveSmallIntegerField("半年考核权重(%)", default=30)
    veto_effect = models.CharField(
        "一票否决的后果", max_length=10, choices=VetoEffect.choices, default=VetoEffect.NO_RANK
    )
    # Recorded so that anyone can redraw the sample villages and get the same ones.
    seed = models.PositiveIntegerField("抽样种子")
    status = models.CharField(
        "状态", max_length=10, choices=SchemeStatus.choices, default=SchemeStatus.DRAFT
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="assessment_scheme_key")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == SchemeStatus.PUBLISHED

    @property
    def year_weight(self) -> int:
        return 100 - self.half_weight

    # A county's scheme assesses its townships (and checks sample villages); a township's
    # scheme assesses its villages, every one of them checked.
    @property
    def by_township(self) -> bool:
        return len(self.unit_id) == 9

    @property
    def assessed_level(self) -> str:
        return Level.VILLAGE if self.by_township else Level.TOWNSHIP

    @property
    def assessed_label(self) -> str:
        return "村(居)" if self.by_township else "乡镇"

    @property
    def checked_label(self) -> str:
        return "核查村(居)" if self.by_township else "抽样村"


class ItemKind(models.TextChoices):
    INDICATOR = "indicator", "指标考核"
    MANUAL = "manual", "实地核查"


class Rule(models.TextChoices):
    ALL_OR_NOTHING = "all", "达标得满分，未达标不得分"
    PROPORTIONAL = "proportional", "达标得满分，未达标按完成比例得分"
    STEP = "step", "达标得满分，每差一档扣分，扣完为止"


class Item(models.Model):
    """One item (考核项目) of a scheme, with its points and how they are earned."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("考核项目", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=ItemKind.choices)
    indicator = models.CharField("关联指标", max_length=40, blank=True)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1)
    rule = models.CharField("计分规则", max_length=12, choices=Rule.choices, blank=True)
    # For the step rule: every `step` (in the indicator's unit) short costs `step_points`.
    step = models.FloatField("每档差距", null=True, blank=True)
    step_points = models.DecimalField(
        "每档扣分", max_digits=5, decimal_places=1, null=True, blank=True
    )
    criteria = models.CharField("评分标准", max_length=300, blank=True)

    class Meta:
        verbose_name = "考核项目"
        verbose_name_plural = "考核项目"
        ordering = ["scheme_id", "order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def indicator_label(self) -> str:
        from famplan.indicators.indicators import INDICATORS

        spec = INDICATORS.get(self.indicator)
        return spec.label if spec else self.indicator


class Part(models.TextChoices):
    HALF = "half", "半年考核"
    YEAR = "year", "年终考核"


class SampleVillage(models.Model):
    """A village drawn for the field check of its township (抽样村). In a township's
    scheme every village is checked and is its own assessed unit: `township` holds the
    assessed unit, the village itself."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="samples")
    township = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "抽样村"
        verbose_name_plural = "抽样村"
        ordering = ["scheme_id", "village_id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "village"], name="assessment_sample_key")
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.village_id}"


class FieldScore(models.Model):
    """An inspector's score of one manual item in one sample village (实地核查).
    Who signs is responsible: the inspector is recorded with the score."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="scores")
    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    part = models.CharField("考核阶段", max_length=4, choices=Part.choices)
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)
    note = models.CharField("核查情况", max_length=300, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核查人", on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField("录入时间", auto_now=True)

    class Meta:
        verbose_name = "实地核查得分"
        verbose_name_plural = "实地核查得分"
        constraints = [
            models.UniqueConstraint(
                fields=["item", "village", "part"], name="assessment_fieldscore_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.village_id} {self.part}={self.score}"


class VetoReason(models.TextChoices):
    FALSIFIED = "falsified", "统计数据弄虚作假"
    UNLAWFUL = "unlawful", "违法违规行为"
    INCIDENT = "incident", "发生重大事件"


class Veto(models.Model):
    """A veto (一票否决) of one assessed unit in one scheme, with its reason and evidence:
    `township` holds the assessed unit (a village in a township's scheme)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="vetoes")
    township = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("否决事由", max_length=12, choices=VetoReason.choices)
    evidence = models.TextField("事实与依据")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "一票否决"
        verbose_name_plural = "一票否决"
        constraints = [
            models.UniqueConstraint(fields=["scheme", "township"], name="assessment_veto_key")
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.township_id}"
