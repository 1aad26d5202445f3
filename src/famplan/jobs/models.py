"""A Job is one piece of long work (an import, a report) that a user started and watches."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"


def job_upload_to(job: Job, filename: str) -> str:
    return f"jobs/{job.pk}/{filename}"


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("类型", max_length=50)
    title = models.CharField("名称", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        on_delete=models.PROTECT,
        related_name="jobs",
    )
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name="单位", on_delete=models.PROTECT, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    percent = models.PositiveSmallIntegerField("进度", default=0)
    message = models.CharField("说明", max_length=300, blank=True)
    input_file = models.FileField(upload_to=job_upload_to, blank=True)
    result_file = models.FileField("结果文件", upload_to=job_upload_to, blank=True)
    error = models.TextField("错误", blank=True)
    # What the page shows of the outcome besides the message (a failed import's first
    # errors, see JobFailed.result): small JSON, the full detail stays in result_file.
    result = models.JSONField("结果", default=dict, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)
