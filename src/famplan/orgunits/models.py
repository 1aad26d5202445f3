"""The division tree (行政区划): NBS statistical division codes, a subtree is a code prefix."""

from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县"
    TOWNSHIP = "township", "乡镇"
    VILLAGE = "village", "村(居)"


# Code length of each level; a unit's code starts with its parent's code.
CODE_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.TOWNSHIP: 9,
    Level.VILLAGE: 12,
}
LEVEL_ORDER = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]


class OrgUnit(models.Model):
    # The code is the primary key so that every foreign key column to a unit holds the
    # code itself: "records under township T" is `unit_id LIKE 'T%'`, with no join.
    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("级别", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"], name="orgunit_level_code")]

    def __str__(self) -> str:
        return self.name

    def ancestor_codes(self) -> list[str]:
        """Codes of every unit above this one, top first (derived from the code alone)."""
        return [self.code[:n] for n in (2, 4, 6, 9) if n < len(self.code)]

    def contains(self, code: str) -> bool:
        return code.startswith(self.code)

    @property
    def level_rank(self) -> int:
        return LEVEL_ORDER.index(Level(self.level))
