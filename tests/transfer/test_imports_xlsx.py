"""The direct SpreadsheetML writer behind write_xlsx (used by every export and by the
import benchmarks): read back by calamine and by openpyxl, which checks the parts."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from famplan.common.xlsx import write_xlsx


def test_it_writes_a_workbook_openpyxl_and_calamine_both_read():
    at = dt.datetime(2026, 3, 1, 9, 30, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    rows = [
        ["  前后有空格 ", "<a&b>", 7, 2.5, Decimal("1.25"), dt.date(2000, 2, 29), at, False],
        ["控制\x01字符", None, -3, float("inf"), None, None, None, True],
    ]
    columns = [(f"列{i}", 10) for i in range(8)]
    content = write_xlsx(columns, rows, "人员's 表")

    sheet = load_workbook(io.BytesIO(content))["人员's 表"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:H3"
    assert sheet["A1"].font.b and sheet["A1"].value == "列0"
    assert [c.value for c in sheet[2]] == [
        "  前后有空格 ", "<a&b>", 7, 2.5, 1.25, dt.datetime(2000, 2, 29),
        dt.datetime(2026, 3, 1, 9, 30, 15), "否",
    ]  # fmt: skip
    assert sheet["F2"].number_format == "yyyy-mm-dd"
    # A control character is kept as the OOXML escape (openpyxl shows it, Excel and
    # calamine decode it), never dropped.
    assert sheet["A3"].value == "控制_x0001_字符" and sheet["D3"].value == "inf"
    assert sheet.column_dimensions["A"].width > 10

    data = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert data[1][5] == dt.date(2000, 2, 29)
    assert data[1][6] == dt.datetime(2026, 3, 1, 9, 30, 15)
    assert data[2][0] == "控制\x01字符"


def test_it_names_columns_past_z_and_keeps_one_copy_of_each_string():
    columns = [(f"c{i}", 5) for i in range(30)]
    content = write_xlsx(columns, [["同"] * 30 for _ in range(3)], "s")
    sheet = load_workbook(io.BytesIO(content))["s"]
    assert sheet["AD4"].value == "同"
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        shared = package.read("xl/sharedStrings.xml").decode()
    assert shared.count("<si><t>同</t></si>") == 1


def test_it_writes_100000_rows_quickly(benchmark_rows=100_000):
    import time

    rows = (
        [f"人{i}", f"62042219900517{i % 10000:04d}", "男", dt.date(1990, 5, 17), i]
        for i in range(benchmark_rows)
    )
    started = time.perf_counter()
    content = write_xlsx([("a", 8)] * 5, rows, "s")
    assert time.perf_counter() - started < 5  # ~1 s here; XlsxWriter took ~7-15 s
    data = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert len(data) == benchmark_rows + 1
    assert data[-1] == ["人99999", "620422199005179999", "男", dt.date(1990, 5, 17), 99999.0]
