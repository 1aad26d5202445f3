"""Birth registrations (生育登记, 国卫办人口发〔2021〕21号) and the couple's children.

A registration records a family's birth, before or after it happens; it is never an
approval, and the number of children is recorded, never refused. It is made at the
township of either spouse's hukou or residence (or online, choosing that township),
and it belongs to that township: the township works its queue and prints its cards.
The spouses' villages in the registry see it too (selectors.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from famplan.common.idnumbers import mask_id_number
from famplan.registry.models import Sex

SPOUSES = ("wife", "husband")
SPOUSE_LABELS = {"wife": "女方", "husband": "男方"}


class Status(models.TextChoices):
    PENDING = "pending", "待核实"
    RETURNED = "returned", "退回补正"
    REGISTERED = "registered", "已登记"


class Channel(models.TextChoices):
    COUNTER = "counter", "乡镇窗口"
    ONLINE = "online", "网上申请"


class Applicant(models.TextChoices):
    WIFE = "wife", "女方"
    HUSBAND = "husband", "男方"


class ChildRelation(models.TextChoices):
    JOINT = "joint", "夫妻共同子女"
    WIFE = "wife", "女方与他人所生"
    HUSBAND = "husband", "男方与他人所生"


class ChildSource(models.TextChoices):
    REGISTRY = "registry", "人口信息库"
    DECLARED = "declared", "申请人填报"


def _spouse_fields(prefix: str, label: str) -> dict[str, models.Field]:
    """The fields one spouse takes: the registry person where found, else what was typed."""
    return {
        f"{prefix}_person": models.ForeignKey(
            "registry.Person",
            verbose_name=f"{label}(人口信息库)",
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            related_name="+",
        ),
        f"{prefix}_name": models.CharField(f"{label}姓名", max_length=50),
        f"{prefix}_id_number": models.CharField(f"{label}身份证号", max_length=18),
        f"{prefix}_hukou_unit": models.ForeignKey(
            "orgunits.OrgUnit",
            verbose_name=f"{label}户籍地(本县)",
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            related_name="+",
        ),
        f"{prefix}_hukou_address": models.CharField(f"{label}户籍地址", max_length=200, blank=True),
        f"{prefix}_residence_unit": models.ForeignKey(
            "orgunits.OrgUnit",
            verbose_name=f"{label}现居住地(本县)",
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            related_name="+",
        ),
        f"{prefix}_residence_address": models.CharField(
            f"{label}现居住地址", max_length=200, blank=True
        ),
        # The spouse's village for jurisdiction: the registry village where the person
        # is found, else the typed residence village. Its column holds the code, so
        # the scope is a range on this table's own index.
        f"{prefix}_village": models.ForeignKey(
            "orgunits.OrgUnit",
            verbose_name=f"{label}所属村(居)",
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            related_name="+",
        ),
    }


class BirthRegistration(models.Model):
    # Given at submission: the applicant checks the status online with it and an ID number.
    receipt_number = models.CharField("回执号", max_length=12, unique=True)
    # Given when registered: <county>-<year>-<sequence>, e.g. 620422-2026-000123.
    certificate_number = models.CharField(
        "登记证号", max_length=20, unique=True, null=True, blank=True
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices)
    channel = models.CharField("办理渠道", max_length=10, choices=Channel.choices)
    # The township where it is made (or chosen online): its queue, its cards.
    township = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="办理乡镇", on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.CharField("申请人", max_length=10, choices=Applicant.choices)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    # wife_* and husband_* fields: added below from _spouse_fields (the same eight each).

    married_on = models.DateField("结婚日期")
    marriage = models.ForeignKey(
        "registry.Marriage",
        verbose_name="婚姻(人口信息库)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    expected_on = models.DateField("预产期或出生日期", null=True, blank=True)
    # The couple's joint children before this one, and the order this child takes.
    joint_children = models.PositiveSmallIntegerField("夫妻共同子女数", default=0)
    birth_order = models.PositiveSmallIntegerField("本次生育孩次")
    # Why the form did not match the registry (it then waits for the township).
    mismatch_reasons = models.JSONField("核实原因", default=list, blank=True)
    return_reason = models.CharField("退回原因", max_length=200, blank=True)
    birth = models.OneToOneField(
        "registry.Birth",
        verbose_name="出生登记",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registration",
    )

    submitted_at = models.DateTimeField("申请时间", auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="受理人",  # empty for online applications
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    registered_on = models.DateField("登记日期", null=True, blank=True)
    handled_at = models.DateTimeField("办理时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办理人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    birth_linked_at = models.DateTimeField("关联出生时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "生育登记"
        verbose_name_plural = "生育登记"
        indexes = [
            models.Index(fields=["township", "status"], name="birthreg_township_status"),
            models.Index(fields=["wife_village"], name="birthreg_wife_village"),
            models.Index(fields=["husband_village"], name="birthreg_husband_village"),
            models.Index(fields=["wife_id_number"], name="birthreg_wife_id"),
            models.Index(fields=["husband_id_number"], name="birthreg_husband_id"),
            models.Index(fields=["wife_person", "status"], name="birthreg_wife_person"),
        ]

    def __str__(self) -> str:
        return f"生育登记 {self.certificate_number or self.receipt_number}"

    @property
    def wife_id_masked(self) -> str:
        return mask_id_number(self.wife_id_number)

    @property
    def husband_id_masked(self) -> str:
        return mask_id_number(self.husband_id_number)

    @property
    def receipt_display(self) -> str:
        r = self.receipt_number
        return f"{r[:4]}-{r[4:8]}-{r[8:]}"

    @property
    def county_code(self) -> str:
        return self.township_id[:6]


for _prefix in SPOUSES:
    for _name, _field in _spouse_fields(_prefix, SPOUSE_LABELS[_prefix]).items():
        BirthRegistration.add_to_class(_name, _field)


class RegistrationChild(models.Model):
    """One of the couple's children at the time of registration: from the registry's
    Birth rows where the spouses are found, or as the applicant typed it."""

    registration = models.ForeignKey(
        BirthRegistration, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField("姓名", max_length=50)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    born_on = models.DateField("出生日期")
    relation = models.CharField("子女关系", max_length=10, choices=ChildRelation.choices)
    source = models.CharField("来源", max_length=10, choices=ChildSource.choices)
    birth = models.ForeignKey(
        "registry.Birth", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "现有子女"
        verbose_name_plural = "现有子女"
        ordering = ["born_on", "pk"]

    def __str__(self) -> str:
        return self.name


class CertificateSequence(models.Model):
    """The last certificate number given per county and year (row-locked to increment)."""

    county_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county_code", "year"], name="certseq_county_year")
        ]

    def __str__(self) -> str:
        return f"{self.county_code}-{self.year}: {self.last}"


class BundleItem(models.TextChoices):
    """The items of the "出生一件事" bundle (国办发〔2024〕3号) other offices own; famplan
    records their number and date when entered. The birth medical certificate number is
    the registry's (Birth.medical_certificate_number), birth registration famplan's own
    (BirthRegistration.birth), the childcare subsidy comes with the benefits app."""

    HUKOU = "hukou", "户口登记"
    MEDICAL_INSURANCE = "medical_insurance", "医保参保"
    SOCIAL_SECURITY_CARD = "social_security_card", "社会保障卡"


class BirthBundleRecord(models.Model):
    """One item of a newborn's bundle, done: its number (certificate, hukou, insurance
    or card number) and date, and who recorded it."""

    birth = models.ForeignKey("registry.Birth", on_delete=models.PROTECT, related_name="bundle")
    # The birth's village, copied: the worklist is scoped on this table's own index.
    unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="所属村(居)", on_delete=models.PROTECT, related_name="+"
    )
    item = models.CharField("事项", max_length=30, choices=BundleItem.choices)
    number = models.CharField("编号", max_length=40)
    done_on = models.DateField("办理日期")
    recorded_at = models.DateTimeField("录入时间", auto_now=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "出生一件事"
        verbose_name_plural = "出生一件事"
        constraints = [models.UniqueConstraint(fields=["birth", "item"], name="bundle_birth_item")]

    def __str__(self) -> str:
        return f"{self.get_item_display()} {self.number}"
