"""Special families (计生特殊家庭: 失独, 伤残) and responsibility (包村包户).

One `Assignment` model holds who answers for what: a village (包村), a household (包户)
or a special family (its two contacts, 双岗联系人). One `Visit` model holds every visit
log, of any of the three. So "who is responsible", "when is a visit due" and "which
assignments had no visit this month" each have one home (docs/decisions.md).
Every record carries its village (`unit`): the jurisdiction key.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FamilyKind(models.TextChoices):
    CHILD_DIED = "died", "失独（独生子女死亡）"
    CHILD_DISABLED = "disabled", "伤残（独生子女三级以上残疾）"


class FamilyStatus(models.TextChoices):
    CONFIRMED = "confirmed", "在册"
    CLOSED = "closed", "已退出"
    # A registry candidate the township found not to be a special family: kept so the
    # candidate list does not offer it again.
    DISMISSED = "dismissed", "核实不符"


class FamilySource(models.TextChoices):
    REGISTRY = "registry", "人口库比对"
    MANUAL = "manual", "手工登记"


class Need(models.TextChoices):
    """The Huining plan's four kinds of help for special families."""

    LIVING = "living", "生活照料"
    ELDER_CARE = "elder_care", "养老保障"
    MEDICAL = "medical", "大病救治"
    EMOTIONAL = "emotional", "精神慰藉"


class HelpKind(models.TextChoices):
    LIVING = "living", "生活照料"
    ELDER_CARE = "elder_care", "养老保障"
    MEDICAL = "medical", "大病救治"
    EMOTIONAL = "emotional", "精神慰藉"
    OTHER = "other", "其他帮扶"


class TargetKind(models.TextChoices):
    VILLAGE = "village", "包村"
    HOUSEHOLD = "household", "包户"
    FAMILY = "family", "特殊家庭"


class TeamRole(models.TextChoices):
    """The "7+x" team of the town plans: who the assigned person is in it."""

    TOWNSHIP_LEADER = "township_leader", "乡镇领导"
    CADRE = "cadre", "包村干部"
    HEALTH_OFFICE = "health_office", "乡镇卫健办"
    HEALTH_CENTRE = "health_centre", "乡镇卫生院"
    VILLAGE_CADRE = "village_cadre", "村干部"
    VILLAGE_WORKER = "village_worker", "村专干"
    VILLAGE_DOCTOR = "village_doctor", "村医"
    OTHER = "other", "其他"


class ContactSide(models.TextChoices):
    """A special family's two contacts (双岗): one at the township, one in the village."""

    TOWNSHIP = "township", "乡镇联系人"
    VILLAGE = "village", "村级联系人"


def _user(label: str, **extra: object) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=label,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        **extra,
    )


def _unit(label: str = "所属村(居)") -> models.ForeignKey:
    # One composite index per table starts with unit: no single-column copy.
    return models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=label,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )


class SpecialFamily(models.Model):
    unit = _unit()
    kind = models.CharField("类别", max_length=10, choices=FamilyKind.choices)
    status = models.CharField(
        "状态", max_length=10, choices=FamilyStatus.choices, default=FamilyStatus.CONFIRMED
    )
    source = models.CharField("来源", max_length=10, choices=FamilySource.choices)
    # The registry's people where known; a family entered by hand may have none.
    mother = models.ForeignKey(
        "registry.Person",
        verbose_name="母亲",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    father = models.ForeignKey(
        "registry.Person",
        verbose_name="父亲",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    child = models.ForeignKey(
        "registry.Person",
        verbose_name="独生子女",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField("家庭(父母姓名)", max_length=100)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("住址", max_length=200, blank=True)
    needs = models.JSONField("需求", default=list, blank=True)  # Need values
    needs_note = models.CharField("需求说明", max_length=200, blank=True)
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    confirmed_by = _user("确认人")
    closed_on = models.DateField("退出日期", null=True, blank=True)
    close_reason = models.CharField("退出/不符原因", max_length=200, blank=True)
    entered_by = _user("录入人")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "计生特殊家庭"
        verbose_name_plural = "计生特殊家庭"
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(child__isnull=False), name="carefamily_child"
            )
        ]
        indexes = [models.Index(fields=["unit", "status"], name="carefamily_unit_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_labels(self) -> list[str]:
        labels = dict(Need.choices)
        return [labels[n] for n in self.needs if n in labels]


class Assignment(models.Model):
    """Who answers for a village, a household or a special family, from when to when:
    a user of famplan or a named person with a phone."""

    unit = _unit()
    target_kind = models.CharField("对象类型", max_length=10, choices=TargetKind.choices)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name="户",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    family = models.ForeignKey(
        SpecialFamily,
        verbose_name="特殊家庭",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    user = _user("责任人账号")
    name = models.CharField("责任人", max_length=50)
    phone = models.CharField("责任人电话", max_length=20, blank=True)
    role = models.CharField("团队角色", max_length=20, choices=TeamRole.choices)
    side = models.CharField("联系人岗位", max_length=10, choices=ContactSide.choices, blank=True)
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("结束日期", null=True, blank=True)
    entered_by = _user("录入人")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "包村包户责任"
        verbose_name_plural = "包村包户责任"
        indexes = [
            models.Index(fields=["unit", "starts_on"], name="careassign_unit_start"),
            models.Index(fields=["family", "side"], name="careassign_family"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"

    def open_on(self, day: object) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class Visit(models.Model):
    """One visit: of a village, a household or a special family, signed by its visitor."""

    unit = _unit()
    target_kind = models.CharField("对象类型", max_length=10, choices=TargetKind.choices)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name="户",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    family = models.ForeignKey(
        SpecialFamily,
        verbose_name="特殊家庭",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    # The responsibility this visit fulfils; empty for a visit by someone else.
    assignment = models.ForeignKey(
        Assignment,
        verbose_name="责任",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
    )
    visited_on = models.DateField("走访日期")
    visitor = _user("走访人账号")
    visitor_name = models.CharField("走访人(签名)", max_length=50)
    content = models.CharField("走访内容", max_length=500)
    next_step = models.CharField("下一步", max_length=200, blank=True)
    entered_by = _user("录入人")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        indexes = [
            models.Index(fields=["unit", "visited_on"], name="carevisit_unit_date"),
            models.Index(fields=["family", "visited_on"], name="carevisit_family_date"),
            models.Index(fields=["household", "visited_on"], name="carevisit_household_date"),
            models.Index(fields=["assignment", "visited_on"], name="carevisit_assign_date"),
        ]

    def __str__(self) -> str:
        return f"走访 {self.visited_on}"


class Help(models.Model):
    """Help given to a special family: what kind, how much or what, when."""

    family = models.ForeignKey(
        SpecialFamily, verbose_name="特殊家庭", on_delete=models.PROTECT, related_name="helps"
    )
    unit = _unit()
    kind = models.CharField("帮扶类别", max_length=12, choices=HelpKind.choices)
    amount = models.DecimalField("金额(元)", max_digits=10, decimal_places=2, null=True, blank=True)
    description = models.CharField("帮扶内容", max_length=200, blank=True)
    given_on = models.DateField("帮扶日期")
    entered_by = _user("录入人")
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = "帮扶记录"
        verbose_name_plural = "帮扶记录"
        indexes = [
            models.Index(fields=["unit", "given_on"], name="carehelp_unit_date"),
            models.Index(fields=["family", "given_on"], name="carehelp_family_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.given_on}"
