"""One small Excel writer shared by every list export, and the response that serves it."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from xlsxwriter import Workbook

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel refuses these in sheet names; 31 characters is its limit.
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str) -> str:
    return (_BAD_SHEET_CHARS.sub("_", name).strip("'") or "Sheet1")[:31]


def write_xlsx(
    columns: Sequence[tuple[str, float]],
    rows: Iterable[Sequence[object]],
    sheet_name: str = "Sheet1",
) -> bytes:
    """A one-sheet workbook: bold frozen header row, then `rows` in order.

    `columns` is (header, width in characters) per column. Cells may be str, int,
    float, Decimal, bool (是/否), date (yyyy-mm-dd), datetime (yyyy-mm-dd hh:mm:ss,
    aware ones in the local time zone) or None (left empty); anything else is written
    as its str(). `rows` may be a lazy iterator: with constant_memory each row goes to
    disk as it is written, so a 100,000-row export does not sit in memory as cells.
    """
    buffer = io.BytesIO()
    workbook = Workbook(
        buffer,
        {
            "constant_memory": True,
            # Text stays text: a name starting with "=" must never become a formula
            # (spreadsheet injection), and URL detection is slow and capped by Excel.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(_sheet_name(sheet_name))
    header = workbook.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})

    for col, (title, width) in enumerate(columns):
        sheet.set_column(col, col, width)
        sheet.write_string(0, col, title, header)
    sheet.freeze_panes(1, 0)

    write_string, write_number = sheet.write_string, sheet.write_number
    write_datetime = sheet.write_datetime
    row_index = 0
    for row_index, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            # Type checks in order of frequency; bool before int (bool is an int).
            if value is None:
                continue
            if isinstance(value, str):
                write_string(row_index, col, value)
            elif isinstance(value, bool):
                write_string(row_index, col, "是" if value else "否")
            elif isinstance(value, int | float | Decimal):
                write_number(row_index, col, value)
            elif isinstance(value, dt.datetime):
                if timezone.is_aware(value):
                    value = timezone.make_naive(value)
                write_datetime(row_index, col, value, datetime_format)
            elif isinstance(value, dt.date):
                write_datetime(row_index, col, value, date_format)
            else:
                write_string(row_index, col, str(value))
    sheet.autofilter(0, 0, max(row_index, 1), max(len(columns) - 1, 0))
    workbook.close()
    return buffer.getvalue()


def content_disposition(filename: str) -> str:
    """An attachment header that keeps a Chinese file name (RFC 6266 / RFC 5987).

    Browsers that read filename* get the UTF-8 name; the plain filename is an ASCII
    fallback for the rest (non-ASCII characters dropped)."""
    ascii_name = filename.encode("ascii", "ignore").decode().replace('"', "").replace("\\", "")
    ascii_name = ascii_name.strip() or "export"
    if ascii_name.startswith("."):
        ascii_name = "export" + ascii_name
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def xlsx_response(filename_zh: str, content: bytes) -> HttpResponse:
    """Serve `content` as a download named `filename_zh` (".xlsx" added if missing)."""
    if not filename_zh.lower().endswith(".xlsx"):
        filename_zh += ".xlsx"
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename_zh)
    response["Content-Length"] = str(len(content))
    response["Cache-Control"] = "no-store"  # exports hold personal data: no proxy copies
    return response
