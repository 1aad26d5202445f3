"""What every registry record shares: its village, who entered it and when, a version."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RegistryRecord(models.Model):
    # The village whose register holds the record: the jurisdiction key. Its column
    # holds the village code, so scoping is a range on this table's own index. Every
    # record type declares that index as (unit, its date or status) in its Meta: a
    # single-column index beside it would only slow every insert (migration 0003).
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name="所属村(居)",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Optimistic locking: an edit names the version it started from, and a save that
    # finds a newer version is refused instead of silently overwriting someone's work.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True
