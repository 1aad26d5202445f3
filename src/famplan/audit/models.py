"""The audit log: append-only rows for every write, every login and every read of personal data."""

from __future__ import annotations

from django.conf import settings
from django.db import connections, models, router
from django.utils import timezone

from famplan.audit import chain


class AppendOnlyError(Exception):
    """Raised by every path that would change or remove an audit row."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除")

    def bulk_create(self, objs, *args, **kwargs):
        """Rows added in bulk join the chain like every other row."""
        objs = list(objs)
        with chain.appending(connections[self.db]) as head:
            for obj in objs:
                obj._chain_onto(head)
            return super().bulk_create(objs, *args, **kwargs)


class Result(models.TextChoices):
    OK = "ok", "成功"
    FAILED = "failed", "失败"
    DENIED = "denied", "拒绝"


class AuditEntry(models.Model):
    # Set before the insert (not auto_now_add) because the time is part of the row's hash.
    at = models.DateTimeField("时间", default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Kept as text too: a failed login has no user row, and names must survive renames.
    username = models.CharField("用户名", max_length=150, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name="单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,  # audit_unit_at (org_unit, at) serves every lookup by unit
    )
    target_type = models.CharField("对象类型", max_length=50, blank=True)
    target_id = models.CharField("对象ID", max_length=64, blank=True)
    target_label = models.CharField("对象", max_length=200, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.OK)
    # The tamper-evidence chain (audit/chain.py). Nullable only so that adding them kept
    # SQLite from rebuilding the table, which would have dropped its triggers.
    seq = models.BigIntegerField("链序号", null=True, editable=False)
    prev_hash = models.CharField("上一行哈希", max_length=64, null=True, editable=False)
    row_hash = models.CharField("本行哈希", max_length=64, null=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["org_unit", "at"], name="audit_unit_at"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("审计日志只能追加，不能修改")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with chain.appending(connections[using]) as head:
            self._chain_onto(head)
            super().save(*args, **kwargs)

    def _chain_onto(self, head: chain.Head) -> None:
        fixed = chain.fixed_part(
            at=self.at, user_id=self.user_id, username=self.username, ip=self.ip,
            action=self.action, result=self.result, detail=self.detail,
            target_type=self.target_type,
        )  # fmt: skip
        unit = None if self.org_unit_id is None else str(self.org_unit_id)
        self.seq, self.prev_hash, self.row_hash = head.extend(
            fixed, unit, str(self.target_id), str(self.target_label)
        )

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除")
