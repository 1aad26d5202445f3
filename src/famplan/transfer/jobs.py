"""The import job: runs an uploaded file through the import framework in the worker."""

from __future__ import annotations

from pathlib import PurePath

from famplan.common.progress import Progress
from famplan.jobs.handlers import JobFailed, job_handler
from famplan.jobs.models import Job
from famplan.transfer.imports import ImportFailed, import_table
from famplan.transfer.imports.framework import IMPORT_TYPES
from famplan.transfer.imports.report import error_digest, error_report_xlsx

IMPORT_KIND = "transfer.import"
COUNT_LABELS = {
    "people": "人员",
    "households": "新建户",
    "births": "出生",
    "deaths": "死亡",
    "marriages_ended": "因死亡终止的婚姻",
    "marriages": "婚姻",
    "arrivals": "流入",
    "departures": "流出",
    "checks": "孕前优生健康检查",
    "folic_issues": "叶酸发放",
    "supply_issues": "药具月发放数",
    "progress_reports": "工作进度",
    "visits": "走访记录",
    "families_confirmed": "按人口库确认的特殊家庭",
    "families_created": "手工登记的特殊家庭",
}


@job_handler(IMPORT_KIND)
def import_job(job: Job, progress: Progress) -> str:
    record_type = IMPORT_TYPES.get(job.params.get("record_type", ""))
    if record_type is None:
        raise JobFailed("未知的导入类型")
    if not job.input_file:
        raise JobFailed("没有上传文件")
    name = PurePath(job.input_file.name).name
    with job.input_file.open("rb") as source:
        content = source.read()
    try:
        result = import_table(
            content=content,
            filename=name,
            record_type=record_type,
            actor=job.created_by,
            progress=progress,
            job=job,
        )
    except ImportFailed as failure:
        report = (f"{record_type.label}导入错误报告.xlsx", error_report_xlsx(failure, name))
        raise JobFailed(
            f"{failure.message}请下载错误报告，改正后重新上传。",
            report=report,
            result={"import_errors": error_digest(failure)},
        ) from None
    counts = "，".join(f"{COUNT_LABELS.get(k, k)} {v}" for k, v in result.counts.items())
    return f"导入完成：共 {result.rows} 行（{counts}）"
