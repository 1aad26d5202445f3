"""Hospital delivery records (住院分娩实名登记): health facilities, their API tokens and
staff, and each delivery they report with the registry Birth it created or matched."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from famplan.common.idnumbers import mask_id_number
from famplan.registry.models import BirthPlace, Sex


class Facility(models.Model):
    """A health facility that reports deliveries (县医院, 妇幼保健院, 乡镇卫生院). Its
    `unit` is the area it serves: the mothers it may report live in that subtree."""

    code = models.CharField("机构代码", max_length=30, unique=True)
    name = models.CharField("机构名称", max_length=100)
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="服务区域", on_delete=models.PROTECT, related_name="+"
    )
    # The API's actor: births the facility posts are entered by this account (it has no
    # usable password, nobody logs in with it), and its audit rows name it.
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="接口账号",
        on_delete=models.PROTECT,
        related_name="api_facility",
    )
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "医疗卫生机构"
        verbose_name_plural = "医疗卫生机构"

    def __str__(self) -> str:
        return self.name


class FacilityMember(models.Model):
    """A facility user (Role.FACILITY) working for one facility: they enter its
    deliveries on the form and see its list."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.PROTECT,
        related_name="facility_membership",
    )
    facility = models.ForeignKey(
        Facility, verbose_name="机构", on_delete=models.PROTECT, related_name="members"
    )
    added_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "机构用户"
        verbose_name_plural = "机构用户"

    def __str__(self) -> str:
        return f"{self.user} @ {self.facility}"


class FacilityToken(models.Model):
    """An API token of one facility. Only its SHA-256 digest is stored; the token is
    shown once, when made. `prefix` (its first characters) tells tokens apart in lists
    and in the audit log."""

    facility = models.ForeignKey(
        Facility, verbose_name="机构", on_delete=models.PROTECT, related_name="tokens"
    )
    name = models.CharField("用途说明", max_length=50)
    prefix = models.CharField("令牌前缀", max_length=12)
    digest = models.CharField("令牌摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class DeliveryStatus(models.TextChoices):
    CREATED = "created", "已新建出生登记"
    MATCHED = "matched", "已匹配已有出生登记"


class Via(models.TextChoices):
    API = "api", "接口"
    FORM = "form", "网页录入"


class DeliveryRecord(models.Model):
    """One delivery a facility reported, and the registry Birth it created or matched.
    Unique per (facility, the facility's own record id): posting it again is a replay."""

    # No single-column indexes on facility and unit: the unique (facility, record_id)
    # and the (unit, delivered_on) index below serve them (as registry tables do).
    facility = models.ForeignKey(
        Facility, verbose_name="机构", on_delete=models.PROTECT, related_name="deliveries",
        db_index=False,
    )  # fmt: skip
    record_id = models.CharField("机构病案号", max_length=64)
    # The mother's village (copied from the registry): the jurisdiction key.
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="母亲所属村(居)", on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )  # fmt: skip
    mother = models.ForeignKey(
        "registry.Person", verbose_name="母亲", on_delete=models.PROTECT, related_name="+"
    )
    mother_id_number = models.CharField("母亲身份证号", max_length=18)
    # Optional: the father as the hospital reports him, found on the register like the
    # mother. No index: nothing looks deliveries up by father.
    father = models.ForeignKey(
        "registry.Person", verbose_name="父亲", on_delete=models.PROTECT, null=True,
        blank=True, related_name="+", db_index=False,
    )  # fmt: skip
    father_id_number = models.CharField("父亲身份证号", max_length=18, null=True, blank=True)
    # 出生医学证明编号 as the registry normalises it; also on the Birth.
    medical_certificate_number = models.CharField(
        "出生医学证明编号", max_length=20, null=True, blank=True
    )
    delivered_on = models.DateField("分娩日期")
    sex = models.CharField("婴儿性别", max_length=1, choices=Sex.choices)
    weight_g = models.PositiveIntegerField("出生体重(克)", null=True, blank=True)
    place = models.CharField("分娩地点", max_length=10, choices=BirthPlace.choices)
    child_name = models.CharField("婴儿姓名", max_length=50)
    multiple = models.BooleanField("多胞胎", default=False)
    birth = models.OneToOneField(
        "registry.Birth", verbose_name="出生登记", on_delete=models.PROTECT,
        related_name="delivery",
    )  # fmt: skip
    status = models.CharField("状态", max_length=10, choices=DeliveryStatus.choices)
    via = models.CharField("录入方式", max_length=10, choices=Via.choices)
    token = models.ForeignKey(
        FacilityToken, verbose_name="接口令牌", on_delete=models.PROTECT, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    # What was posted, as a digest: the same record id posted again with other facts is
    # a conflict, with the same facts a replay.
    payload_digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = "住院分娩登记"
        verbose_name_plural = "住院分娩登记"
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "record_id"], name="delivery_facility_record"
            )
        ]
        indexes = [
            models.Index(fields=["facility", "delivered_on"], name="delivery_facility_day"),
            models.Index(fields=["unit", "delivered_on"], name="delivery_unit_day"),
        ]

    def __str__(self) -> str:
        return f"分娩 {self.record_id}"

    @property
    def mother_id_masked(self) -> str:
        return mask_id_number(self.mother_id_number)
