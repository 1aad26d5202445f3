"""Users: each belongs to one org unit (their jurisdiction) and has one role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from famplan.accounts.roles import CAPABILITIES, Role


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name="所属单位",
        on_delete=models.PROTECT,
        null=True,  # only for superusers made by createsuperuser; every login needs a unit
        related_name="users",
    )
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    phone = models.CharField("电话", max_length=20, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def capabilities(self) -> frozenset[str]:
        if not self.is_active or self.org_unit_id is None:
            return frozenset()
        return CAPABILITIES.get(self.role, frozenset())

    def can(self, capability: str) -> bool:
        return capability in self.capabilities
