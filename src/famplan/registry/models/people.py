"""People and households of the population registry (全员人口)."""

from __future__ import annotations

from datetime import date

from django.db import models

from famplan.common.dates import age_on
from famplan.common.idnumbers import mask_id_number
from famplan.registry.models.base import RegistryRecord
from famplan.registry.models.choices import (
    DisabilityGrade,
    Ethnicity,
    HukouType,
    MaritalStatus,
    PersonStatus,
    Relation,
    Sex,
)


class Household(RegistryRecord):
    number = models.CharField("户号", max_length=30, unique=True)
    address = models.CharField("住址", max_length=200, blank=True)
    head = models.ForeignKey(
        "registry.Person",
        verbose_name="户主",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    dissolved_on = models.DateField("撤销日期", null=True, blank=True)

    class Meta:
        verbose_name = "户"
        verbose_name_plural = "户"
        indexes = [models.Index(fields=["unit", "number"], name="household_unit")]

    def __str__(self) -> str:
        return f"户 {self.number}"


class Person(RegistryRecord):
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, null=True, blank=True)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    ethnicity = models.CharField("民族", max_length=10, choices=Ethnicity.choices, blank=True)
    hukou_type = models.CharField("户口性质", max_length=10, choices=HukouType.choices, blank=True)
    hukou_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name="户籍地",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    household = models.ForeignKey(
        Household,
        verbose_name="户",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    relation_to_head = models.CharField(
        "与户主关系", max_length=15, choices=Relation.choices, blank=True
    )
    marital_status = models.CharField(
        "婚姻状况", max_length=15, choices=MaritalStatus.choices, blank=True
    )
    phone = models.CharField("联系电话", max_length=20, blank=True)
    # Read by the benefit rules (特别扶助 for a disabled only child, 独生子女父母奖励).
    # Nullable, so adding them is an ALTER TABLE ADD COLUMN, not a rebuild of the table.
    disability_grade = models.PositiveSmallIntegerField(
        "残疾等级", choices=DisabilityGrade.choices, null=True, blank=True
    )
    one_child_certificate_on = models.DateField("独生子女父母光荣证领证日期", null=True, blank=True)
    registered_on = models.DateField("登记日期")  # arrival or birth
    left_on = models.DateField("注销日期", null=True, blank=True)  # death or departure
    status = models.CharField(
        "状态", max_length=10, choices=PersonStatus.choices, default=PersonStatus.ACTIVE
    )

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=models.Q(id_number__isnull=False),
                name="person_id_number_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(left_on__isnull=True)
                | models.Q(left_on__gte=models.F("registered_on")),
                name="person_left_after_registered",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="person_unit_status"),
            models.Index(fields=["name", "unit"], name="person_name_unit"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def has_id_number(self) -> bool:
        return bool(self.id_number)

    def age_on(self, day: date) -> int:
        """Completed years of age on `day`."""
        return age_on(self.birth_date, day)
