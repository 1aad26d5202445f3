"""The workbooks around an import: the blank template, and the error report."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import xlsxwriter

from famplan.transfer.imports.columns import as_text
from famplan.transfer.imports.framework import CellError, ImportFailed, RecordType

RED_FILL = "#FFC7CE"
RED_FONT = "#9C0006"
TEMPLATE_ROWS = 5000  # rows formatted as text in the template's ID/code columns
_MAX_COMMENTS = 2000  # Excel slows down badly beyond a few thousand comments
_VALIDATION_LIMIT = 255  # Excel's limit on an inline drop-down list


def _book(buffer: io.BytesIO, **options: Any) -> xlsxwriter.Workbook:
    # Text stays text: IDs must not become numbers, "=..." must not become a formula.
    return xlsxwriter.Workbook(
        buffer,
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            **options,
        },
    )


def template_xlsx(
    record_type: RecordType, villages: Sequence[tuple[str, str, str]], sample: dict[str, Any]
) -> bytes:
    """The empty template: headers only, a notes sheet with a sample value per column,
    the user's villages. The samples stay off the data sheet: a sample row there was
    imported as a real person whenever someone forgot to delete it.

    `villages` is (code, name, township name) for the villages the user may import into;
    `sample` overrides column samples (a real village code, a valid ID number)."""
    buffer = io.BytesIO()
    book = _book(buffer)
    header = book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    required = book.add_format(
        {"bold": True, "bg_color": "#E9ECEF", "border": 1, "font_color": RED_FONT}
    )
    as_text_format = book.add_format({"num_format": "@"})
    sample_format = book.add_format({"font_color": "#6C757D", "italic": True})
    sample_date = book.add_format(
        {"font_color": "#6C757D", "italic": True, "num_format": "yyyy-mm-dd"}
    )

    sheet = book.add_worksheet(record_type.label)
    for col, column in enumerate(record_type.columns):
        sheet.set_column(col, col, column.width, as_text_format if column.as_text else None)
        sheet.write_string(0, col, column.header, required if column.required else header)
        allowed = column.allowed
        if allowed and len(allowed) <= _VALIDATION_LIMIT:
            sheet.data_validation(
                1,
                col,
                TEMPLATE_ROWS,
                col,
                {
                    "validate": "list",
                    "source": allowed.split("、"),
                    "error_title": column.header,
                    "error_message": f"应为以下之一：{allowed}",
                },
            )
    sheet.freeze_panes(1, 0)

    notes = book.add_worksheet("填写说明")
    notes.set_column(0, 0, 18)
    notes.set_column(1, 1, 8)
    notes.set_column(2, 3, 60)
    notes.set_column(4, 4, 22, as_text_format)
    notes.write_row(0, 0, ["列名", "必填", "说明", "允许的值", "示例"], header)
    for row, column in enumerate(record_type.columns, start=1):
        notes.write_row(
            row, 0, [column.header, "是" if column.required else "", column.note, column.allowed]
        )
        value = sample.get(column.field, column.sample)
        if isinstance(value, date):
            notes.write_datetime(row, 4, value, sample_date)
        elif isinstance(value, int | float):
            notes.write_number(row, 4, value, sample_format)
        elif value != "":
            notes.write_string(row, 4, str(value), sample_format)
    tail = len(record_type.columns) + 2
    for offset, line in enumerate(
        [
            f"{record_type.label}：{record_type.description}",
            "从第 2 行起填写数据，各列的示例见上表“示例”列。",
            "列的顺序可以调整，列名须与模板一致；红色列名为必填。",
            "日期可写作 2024-03-15、2024/3/15、2024年3月15日 或使用 Excel 日期格式。",
            "身份证号、代码、电话请保持文本格式，否则 Excel 会丢失身份证号的末几位。",
            "系统先校验整个文件；有任何错误时不写入任何数据，并提供标出错误单元格的错误报告。",
        ]
    ):
        notes.write_string(tail + offset, 0, line)

    codes = book.add_worksheet("村(居)代码")
    codes.set_column(0, 0, 16, as_text_format)
    codes.set_column(1, 2, 20)
    codes.write_row(0, 0, ["村(居)代码", "村(居)名称", "乡镇(街道)"], header)
    for row, (code, name, township) in enumerate(villages, start=1):
        codes.write_string(row, 0, code)
        codes.write_string(row, 1, name)
        codes.write_string(row, 2, township)
    book.close()
    return buffer.getvalue()


def error_report_xlsx(failure: ImportFailed, filename: str = "") -> bytes:
    """The bad rows as uploaded, each bad cell filled red with its reason as a comment
    and all reasons in a last column; then every error one per line, then a summary."""
    buffer = io.BytesIO()
    book = _book(buffer, constant_memory=True)
    header_format = book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    bad_format = book.add_format({"bg_color": RED_FILL, "font_color": RED_FONT, "border": 1})
    bad_header = book.add_format(
        {"bold": True, "bg_color": RED_FILL, "font_color": RED_FONT, "border": 1}
    )
    errors = failure.errors
    by_row: dict[int, list] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
    bad_row_numbers = {number for number, _ in failure.bad_rows}
    file_level = [e for e in errors if e.row not in bad_row_numbers]
    comments = 0

    sheet = book.add_worksheet("错误行")
    headers = failure.headers
    position = {h: i for i, h in enumerate(headers)}
    header_problems = {e.header: e.reason for e in file_level if e.header in position}
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, len(headers), 16)
    sheet.set_column(len(headers) + 1, len(headers) + 1, 60)
    sheet.write_string(0, 0, "原行号", header_format)
    for col, title in enumerate(headers, start=1):
        if title in header_problems:
            sheet.write_string(0, col, title, bad_header)
            sheet.write_comment(0, col, header_problems[title])
            comments += 1
        else:
            sheet.write_string(0, col, title, header_format)
    sheet.write_string(0, len(headers) + 1, "错误原因", header_format)
    for out, (number, raw) in enumerate(failure.bad_rows, start=1):
        row_errors = by_row.get(number, [])
        bad_cells = {position[e.header]: e.reason for e in row_errors if e.header in position}
        sheet.write_number(out, 0, number)
        for col in range(len(headers)):
            value = as_text(raw[col]) if col < len(raw) else ""
            if col in bad_cells:
                sheet.write_string(out, col + 1, value, bad_format)
                if comments < _MAX_COMMENTS:
                    sheet.write_comment(out, col + 1, bad_cells[col])
                    comments += 1
            elif value:
                sheet.write_string(out, col + 1, value)
        reasons = "；".join(f"{e.header}：{e.reason}" if e.header else e.reason for e in row_errors)
        sheet.write_string(out, len(headers) + 1, reasons)
    sheet.freeze_panes(1, 1)

    detail = book.add_worksheet("错误明细")
    detail.set_column(0, 0, 8)
    detail.set_column(1, 2, 20)
    detail.set_column(3, 3, 60)
    detail.write_row(0, 0, ["行号", "列", "值", "错误原因"], header_format)
    for out, error in enumerate(errors, start=1):
        detail.write_number(out, 0, error.row)
        detail.write_string(out, 1, error.header)
        detail.write_string(out, 2, error.value)
        detail.write_string(out, 3, error.reason)
    detail.freeze_panes(1, 0)

    summary = book.add_worksheet("汇总")
    summary.set_column(0, 0, 24)
    summary.set_column(1, 1, 60)
    summary.set_column(2, 2, 10)
    lines = [
        ("文件", filename),
        ("数据行数", failure.total_rows),
        ("出错行数", len(by_row)),
        ("错误数", len(errors)),
        ("结果", "未导入任何数据。请按“错误行”工作表改正后重新上传整个文件。"),
    ]
    for row, (label, value) in enumerate(lines):
        summary.write_string(row, 0, label, header_format)
        summary.write(row, 1, value)
    summary.set_column(3, 3, 30)
    start = len(lines) + 1
    summary.write_row(start, 0, ["列", "错误原因（示例）", "次数", "涉及行号"], header_format)
    for row, group in enumerate(error_groups(errors), start=start + 1):
        summary.write_row(
            row, 0, [group.header or "（整行/文件）", group.example, group.count, group.rows_text]
        )
    book.close()
    return buffer.getvalue()


# The parts of a reason that differ from one row to the next: numbers (a row, a length,
# a date) and quoted values (“某村”). Without them, what is left is the kind of error.
_VARIABLE_PARTS = re.compile(r"\d+|“[^”]*”")
_GROUP_ROWS_SHOWN = 10


@dataclass
class ErrorGroup:
    """The errors of one kind in one column: how many, a real example, the rows."""

    header: str
    example: str  # the reason of the first such error, as the user saw it
    count: int = 0
    rows: list[int] = field(default_factory=list)

    @property
    def rows_text(self) -> str:
        shown = "、".join(str(n) for n in self.rows[:_GROUP_ROWS_SHOWN])
        return f"{shown} 等 {len(self.rows)} 行" if len(self.rows) > _GROUP_ROWS_SHOWN else shown


def error_kind(reason: str) -> str:
    """What "应为18位，实际为17位" and "应为18位，实际为15位" have in common: the key the
    summary groups by. Never shown: the summary shows a real reason of each group."""
    return _VARIABLE_PARTS.sub("", reason)


def error_groups(errors: Sequence[CellError]) -> list[ErrorGroup]:
    """Errors grouped by column and kind, the most frequent first (ties: file order)."""
    groups: dict[tuple[str, str], ErrorGroup] = {}
    for error in errors:
        key = (error.header, error_kind(error.reason))
        group = groups.get(key)
        if group is None:
            group = groups[key] = ErrorGroup(error.header, error.reason)
        group.count += 1
        if not group.rows or group.rows[-1] != error.row:
            group.rows.append(error.row)
    return sorted(groups.values(), key=lambda g: -g.count)


FIRST_ERRORS = 50


def error_digest(failure: ImportFailed, limit: int = FIRST_ERRORS) -> dict[str, Any]:
    """The first errors as JSON for the job page (row, column, reason; no cell values,
    which may be ID numbers), with the totals, so the page lists them without the file."""
    errors = failure.errors
    return {
        "total": len(errors),
        "rows": len({e.row for e in errors}),
        "first": [{"row": e.row, "column": e.header, "reason": e.reason} for e in errors[:limit]],
    }
