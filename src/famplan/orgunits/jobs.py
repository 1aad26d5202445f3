"""Background jobs of the division tree: importing a division table from the web."""

from __future__ import annotations

import io
from pathlib import PurePath

import xlsxwriter

from famplan.common.progress import Progress
from famplan.jobs.handlers import JobFailed, job_handler
from famplan.jobs.models import Job
from famplan.orgunits.services import DivisionImportError, RowError, divisions_import

IMPORT_KIND = "orgunits.import_divisions"
REPORT_COLUMNS = [
    ("line", "行号", 8),
    ("code", "区划代码", 16),
    ("name", "名称", 24),
    ("level", "级别", 10),
    ("parent_code", "上级代码", 14),
    ("reason", "错误原因", 60),
]


@job_handler(IMPORT_KIND)
def import_divisions_job(job: Job, progress: Progress) -> str:
    name = PurePath(job.input_file.name).name
    try:
        with job.input_file.open("rb") as source:
            counts = divisions_import(
                source,
                actor=job.created_by,
                within=job.params.get("within"),
                source_name=name,
                progress=progress,
            )
    except DivisionImportError as failure:
        report = ("区划导入错误报告.xlsx", error_report_xlsx(failure.errors))
        lines = len({e.line for e in failure.errors})
        raise JobFailed(
            f"文件有 {lines} 行错误，未导入任何数据。请下载错误报告，改正后重新上传。",
            report=report,
        ) from None
    return (
        f"导入完成：新增 {counts.created}，更新 {counts.updated}，"
        f"未变 {counts.unchanged}，共 {counts.total} 条"
    )


def error_report_xlsx(errors: list[RowError]) -> bytes:
    """One sheet, one row per problem; the offending cell of each row is filled red."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("错误")
    header = book.add_format({"bold": True, "bg_color": "#DDDDDD", "border": 1})
    plain = book.add_format({"num_format": "@"})
    bad = book.add_format({"num_format": "@", "bg_color": "#FFC7CE", "font_color": "#9C0006"})
    for col, (_, title, width) in enumerate(REPORT_COLUMNS):
        sheet.write_string(0, col, title, header)
        sheet.set_column(col, col, width)
    for row, error in enumerate(errors, start=1):
        sheet.write_number(row, 0, error.line)
        for col, (key, _, _) in enumerate(REPORT_COLUMNS[1:-1], start=1):
            # Codes stay text: as numbers, Excel would drop leading zeros and show 6.2E+11.
            sheet.write_string(row, col, getattr(error, key), bad if key == error.field else plain)
        sheet.write_string(row, len(REPORT_COLUMNS) - 1, error.reason)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(errors), len(REPORT_COLUMNS) - 1)
    book.close()
    return buffer.getvalue()
