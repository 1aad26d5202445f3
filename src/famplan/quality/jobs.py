"""The quality run as a background job (kind "quality.run")."""

from __future__ import annotations

from famplan.common.progress import Progress
from famplan.jobs.handlers import JobFailed, job_handler
from famplan.jobs.models import Job
from famplan.orgunits.jurisdiction import unit_in_scope
from famplan.quality.selectors import percent
from famplan.quality.services import RUN_KIND, quality_run


@job_handler(RUN_KIND)
def quality_run_job(job: Job, progress: Progress) -> str:
    unit_code = job.params.get("unit", "")
    # Checked again here: the job row outlives the request, and a user may have been
    # moved to another unit between queueing and running.
    if not unit_in_scope(job.created_by, unit_code):
        raise JobFailed("检查范围不在发起人的管辖范围内，未执行检查。")
    run = quality_run(actor=job.created_by, unit_code=unit_code, job=job, progress=progress)
    return (
        f"检查完成：在册 {run.people} 人，有错误 {run.people_with_errors} 人，"
        f"合格率 {percent(run.people - run.people_with_errors, run.people)}，共 {run.issues} 个问题"
    )
