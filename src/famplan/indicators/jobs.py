"""The refresh of the values table as a background job (kind "indicators.refresh")."""

from __future__ import annotations

from famplan.accounts.roles import Cap
from famplan.common.errors import DomainError
from famplan.common.progress import Progress
from famplan.indicators.services import REFRESH_KIND, values_refresh
from famplan.jobs.handlers import JobFailed, job_handler
from famplan.jobs.models import Job


@job_handler(REFRESH_KIND)
def values_refresh_job(job: Job, progress: Progress) -> str:
    # Checked again here: the job row outlives the request, and the user's role may
    # have changed between queueing and running.
    if not job.created_by.can(Cap.INDICATORS_REFRESH):
        raise JobFailed("发起人已无计算统计指标的权限，未执行计算。")
    try:
        first_year = int(job.params.get("first_year"))
        last_year = int(job.params.get("last_year"))
        run = values_refresh(
            actor=job.created_by,
            first_year=first_year,
            last_year=last_year,
            job=job,
            progress=progress,
        )
    except (TypeError, ValueError):
        raise JobFailed("任务参数有误：缺少年份。") from None
    except DomainError as exc:
        raise JobFailed(exc.message) from None
    return (
        f"计算完成：{first_year}—{last_year}年，共 {run.rows:,} 个数值，用时 {run.seconds:.1f} 秒"
    )
