"""Life events of the registry: marriages, births, deaths, migrations, moves within the county.

Each carries its date and, through RegistryRecord, when it was entered: the monthly
deadline (last month's events in by the 5th) and lateness are measured from the pair.
"""

from __future__ import annotations

from django.db import models

from famplan.registry.models.base import RegistryRecord
from famplan.registry.models.choices import (
    BirthPlace,
    Direction,
    MarriageEnd,
    MarriageKind,
    MigrationStatus,
    Sex,
)


class Marriage(RegistryRecord):
    husband = models.ForeignKey(
        "registry.Person", verbose_name="丈夫", on_delete=models.PROTECT, related_name="+"
    )
    wife = models.ForeignKey(
        "registry.Person", verbose_name="妻子", on_delete=models.PROTECT, related_name="+"
    )
    married_on = models.DateField("结婚日期")
    kind = models.CharField("婚姻类型", max_length=5, choices=MarriageKind.choices)
    ended_on = models.DateField("终止日期", null=True, blank=True)
    end_cause = models.CharField("终止原因", max_length=10, choices=MarriageEnd.choices, blank=True)

    class Meta:
        verbose_name = "婚姻"
        verbose_name_plural = "婚姻"
        indexes = [
            models.Index(fields=["unit", "married_on"], name="marriage_unit_date"),
            models.Index(fields=["wife", "ended_on"], name="marriage_wife"),
            models.Index(fields=["husband", "ended_on"], name="marriage_husband"),
        ]

    def __str__(self) -> str:
        return f"婚姻 {self.married_on}"

    @property
    def occurred_on(self):
        return self.married_on


class Birth(RegistryRecord):
    child = models.OneToOneField(
        "registry.Person", verbose_name="婴儿", on_delete=models.PROTECT, related_name="birth"
    )
    mother = models.ForeignKey(
        "registry.Person", verbose_name="母亲", on_delete=models.PROTECT, related_name="+"
    )
    father = models.ForeignKey(
        "registry.Person",
        verbose_name="父亲",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    born_on = models.DateField("出生日期")
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    # The child's place among the couple's children (the mother's, where the father
    # is unknown), counting from 1; twins take consecutive orders.
    birth_order = models.PositiveSmallIntegerField("孩次")
    place_type = models.CharField("出生地点", max_length=10, choices=BirthPlace.choices)
    facility = models.CharField("助产机构", max_length=100, blank=True)
    weight_g = models.PositiveIntegerField("出生体重(克)", null=True, blank=True)
    # 出生医学证明编号: the hospital's certificate, one per child (typically a letter and
    # nine digits, e.g. Q620012345). Optional: home births may have none yet.
    medical_certificate_number = models.CharField(
        "出生医学证明编号", max_length=20, null=True, blank=True
    )

    class Meta:
        verbose_name = "出生"
        verbose_name_plural = "出生"
        constraints = [
            models.UniqueConstraint(
                fields=["medical_certificate_number"],
                condition=models.Q(medical_certificate_number__isnull=False),
                name="birth_certificate_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "born_on"], name="birth_unit_date"),
            models.Index(fields=["mother", "born_on"], name="birth_mother"),
        ]

    def __str__(self) -> str:
        return f"出生 {self.born_on}"

    @property
    def occurred_on(self):
        return self.born_on


class Death(RegistryRecord):
    person = models.OneToOneField(
        "registry.Person", verbose_name="死者", on_delete=models.PROTECT, related_name="death"
    )
    died_on = models.DateField("死亡日期")
    cause = models.CharField("死亡原因", max_length=100, blank=True)
    place = models.CharField("死亡地点", max_length=100, blank=True)

    class Meta:
        verbose_name = "死亡"
        verbose_name_plural = "死亡"
        indexes = [models.Index(fields=["unit", "died_on"], name="death_unit_date")]

    def __str__(self) -> str:
        return f"死亡 {self.died_on}"

    @property
    def occurred_on(self):
        return self.died_on


class Migration(RegistryRecord):
    """A move in (流入) or out (流出). Out: the person stays on their village's register
    with status 'away'; in: a person from elsewhere now living in the village."""

    person = models.ForeignKey(
        "registry.Person",
        verbose_name="人员",
        on_delete=models.PROTECT,
        related_name="migrations",
    )
    direction = models.CharField("方向", max_length=3, choices=Direction.choices)
    moved_on = models.DateField("流动日期")
    place = models.CharField("流入地/流出地", max_length=200)
    employer = models.CharField("工作单位", max_length=100, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    returned_on = models.DateField("返回日期", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=MigrationStatus.choices, default=MigrationStatus.ACTIVE
    )

    class Meta:
        verbose_name = "流动人口"
        verbose_name_plural = "流动人口"
        indexes = [
            models.Index(fields=["unit", "direction", "status"], name="migration_unit"),
            models.Index(fields=["person", "moved_on"], name="migration_person"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.moved_on}"

    @property
    def occurred_on(self):
        return self.moved_on


class ResidenceChange(RegistryRecord):
    """A move between villages of the registry (unit is the new village), or a
    permanent move away (迁出) where to_unit is empty and `place` says where."""

    person = models.ForeignKey(
        "registry.Person",
        verbose_name="人员",
        on_delete=models.PROTECT,
        related_name="residence_changes",
    )
    from_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name="原村(居)",
        on_delete=models.PROTECT,
        related_name="+",
    )
    moved_on = models.DateField("变更日期")
    place = models.CharField("迁往", max_length=200, blank=True)

    class Meta:
        verbose_name = "居住地变更"
        verbose_name_plural = "居住地变更"
        indexes = [models.Index(fields=["unit", "moved_on"], name="residence_change_unit")]

    def __str__(self) -> str:
        return f"居住地变更 {self.moved_on}"

    @property
    def occurred_on(self):
        return self.moved_on


class HouseholdChange(RegistryRecord):
    """A household split (members leave to a new household) or merge (all join another)."""

    class Kind(models.TextChoices):
        SPLIT = "split", "分户"
        MERGE = "merge", "并户"

    kind = models.CharField("类型", max_length=5, choices=Kind.choices)
    from_household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+"
    )
    to_household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+"
    )
    person_ids = models.JSONField("涉及人员", default=list)
    changed_on = models.DateField("变更日期")

    class Meta:
        verbose_name = "分户/并户"
        verbose_name_plural = "分户/并户"
        indexes = [models.Index(fields=["unit", "changed_on"], name="household_change_unit")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.changed_on}"

    @property
    def occurred_on(self):
        return self.changed_on
