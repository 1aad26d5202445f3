"""Free contraceptive supplies (免费避孕药具): distribution points, the kinds of supply,
stock movements (deliveries in, issues out, as aggregate counts) and, only where a
person asked for a service, a voluntary service request.

Stock is never stored: it is deliveries minus issues up to a day, one grouped query
for all points (selectors.stock). Issues are counts per point, kind and day (or month),
never per person: no official tracks anyone's method (docs/decisions.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PlaceKind(models.TextChoices):
    TOWNSHIP_CENTRE = "township_centre", "乡镇计生服务站(卫生院)"
    VILLAGE_CLINIC = "village_clinic", "村卫生室"
    COMMUNITY_CENTRE = "community_centre", "社区卫生服务站"
    MACHINE = "machine", "自助发放机"
    PHARMACY = "pharmacy", "定点药店"
    HOSPITAL = "hospital", "医院"
    OTHER = "other", "其他"


# Points of these kinds are run by the township: only township-level users and above
# enter their deliveries and issues, even though they stand in a village.
TOWNSHIP_RUN = frozenset({PlaceKind.TOWNSHIP_CENTRE})


class Direction(models.TextChoices):
    DELIVERY = "delivery", "入库/配送"
    ISSUE = "issue", "发放"


class SupplyKind(models.Model):
    """A kind of supply (method): a choices table the county edits (kinds page)."""

    code = models.SlugField("代码", max_length=30, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    unit = models.CharField("计数单位", max_length=10, help_text="如：只、盒、板、支")
    # Availability counts a point as stocked when it holds every essential kind.
    essential = models.BooleanField("必备药具", default=True)
    active = models.BooleanField("在用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = "药具种类"
        verbose_name_plural = "药具种类"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class DistributionPoint(models.Model):
    """A free distribution point (发放点). It stands in a village: the jurisdiction key."""

    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所在村(居)", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("发放点名称", max_length=100)
    place_kind = models.CharField("类型", max_length=20, choices=PlaceKind.choices)
    address = models.CharField("地址", max_length=200, blank=True)
    opened_on = models.DateField("启用日期")
    # Empty while the point is active; a closed point keeps its history.
    closed_on = models.DateField("停用日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "药具发放点"
        verbose_name_plural = "药具发放点"
        ordering = ["unit_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="supplypoint_unit_name")
        ]
        indexes = [models.Index(fields=["place_kind", "unit"], name="supplypoint_kind_unit")]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.closed_on is None

    @property
    def township_run(self) -> bool:
        return self.place_kind in TOWNSHIP_RUN


class StockMovement(models.Model):
    """A delivery into a point's stock or an issue out of it: a count, never a person."""

    point = models.ForeignKey(
        DistributionPoint, verbose_name="发放点", on_delete=models.PROTECT, related_name="movements"
    )
    # The point's village, copied: lists and reports are scoped on this table's index.
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所在村(居)", on_delete=models.PROTECT, related_name="+"
    )
    direction = models.CharField("类别", max_length=10, choices=Direction.choices)
    kind = models.ForeignKey(
        SupplyKind, verbose_name="药具", on_delete=models.PROTECT, related_name="+"
    )
    # An issue counted for a whole month is dated on the month's last day.
    moved_on = models.DateField("日期")
    monthly = models.BooleanField("按月汇总", default=False)
    quantity = models.PositiveIntegerField("数量")
    note = models.CharField("备注", max_length=200, blank=True)
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
        verbose_name = "药具出入库"
        verbose_name_plural = "药具出入库"
        indexes = [
            models.Index(fields=["point", "moved_on"], name="supplymove_point_date"),
            models.Index(fields=["unit", "moved_on"], name="supplymove_unit_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="supplymove_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.quantity}"

    @property
    def signed(self) -> int:
        return self.quantity if self.direction == Direction.DELIVERY else -self.quantity


class ServiceRequest(models.Model):
    """A service a person asked for, recorded only because she or he asked (voluntary):
    what was asked and what was given. Never a check of anyone, never a method record
    kept by officials beyond the request itself."""

    person = models.ForeignKey(
        "registry.Person", verbose_name="服务对象", on_delete=models.PROTECT, related_name="+"
    )
    # The person's village when recorded: the jurisdiction key.
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所属村(居)", on_delete=models.PROTECT, related_name="+"
    )
    point = models.ForeignKey(
        DistributionPoint,
        verbose_name="发放点",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_on = models.DateField("日期")
    asked = models.CharField("咨询或需求", max_length=200)
    given = models.CharField("提供的服务", max_length=200, blank=True)
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
        verbose_name = "药具服务记录"
        verbose_name_plural = "药具服务记录"
        indexes = [models.Index(fields=["unit", "requested_on"], name="supplyreq_unit_date")]

    def __str__(self) -> str:
        return f"服务记录 {self.requested_on}"
