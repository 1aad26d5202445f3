"""Starting jobs and recording their progress."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from famplan.audit.services import audit_log
from famplan.jobs.handlers import JobFailed, handler_for
from famplan.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)


@transaction.atomic
def job_start(
    *,
    user: Any,
    kind: str,
    title: str,
    params: dict | None = None,
    input_file: UploadedFile | None = None,
) -> Job:
    handler_for(kind)  # fail now, in the request, for an unknown kind
    job = Job(
        kind=kind, title=title, created_by=user, org_unit_id=user.org_unit_id, params=params or {}
    )
    job.save()
    if input_file is not None:
        job.input_file.save(input_file.name, input_file, save=False)
        job.save(update_fields=["input_file"])
    audit_log(actor=user, action="jobs.job.started", target=job, detail={"kind": kind})

    from famplan.jobs.tasks import run_job

    # Enqueue after commit: the worker must find the job row when it looks.
    transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job


class JobProgress:
    """A job's Progress (famplan.common.progress): writes its percent and message, at most
    a few times a second."""

    def __init__(self, job: Job, min_interval: float = 0.3) -> None:
        self.job = job
        self.min_interval = min_interval
        self._last = 0.0

    def __call__(self, percent: float, message: str = "", force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < self.min_interval:
            return
        self._last = now
        self.job.percent = max(0, min(100, int(percent)))
        if message:
            self.job.message = message[:300]
        Job.objects.filter(pk=self.job.pk).update(
            percent=self.job.percent, message=self.job.message
        )


def job_run(job_id: str) -> None:
    """Run one job to the end, recording success or failure on the job row."""
    job = Job.objects.select_related("created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return  # already run (a retried task must not run an import twice)
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])
    progress = JobProgress(job)
    try:
        message = handler_for(job.kind)(job, progress)
    except JobFailed as failure:
        job.status = JobStatus.FAILED
        job.error = failure.message
        job.result = failure.result
        if failure.report is not None:
            name, content = failure.report
            job.result_file.save(name, ContentFile(content), save=False)
    except Exception:
        logger.exception("job %s (%s) crashed", job.pk, job.kind)
        job.status = JobStatus.FAILED
        job.error = "任务执行时发生内部错误，请联系系统管理员。"
    else:
        job.status = JobStatus.SUCCEEDED
        job.percent = 100
        job.message = message or "已完成"
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "percent",
            "message",
            "error",
            "result",
            "result_file",
            "finished_at",
        ]
    )
    audit_log(
        actor=job.created_by,
        action=f"jobs.job.{job.status}",
        target=job,
        org_unit_id=job.org_unit_id,
        detail={"kind": job.kind, "error": job.error},
        result="ok" if job.status == JobStatus.SUCCEEDED else "failed",
    )
