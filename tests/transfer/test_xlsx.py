"""The shared Excel writer: read the bytes back with calamine, as an importer would."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from python_calamine import CalamineWorkbook

from famplan.common.xlsx import write_xlsx, xlsx_response

COLUMNS = [("姓名", 10), ("出生日期", 12), ("人数", 6), ("登记时间", 20), ("备注", 30)]


def read_back(content: bytes, sheet: str) -> list[list]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return workbook.get_sheet_by_name(sheet).to_python()


def test_it_writes_a_header_and_typed_cells():
    at = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)  # 09:30 in Asia/Shanghai
    rows = [
        ["张三", dt.date(1990, 5, 17), 3, at, None],
        ["李四", None, Decimal("2.5"), None, True],
    ]
    content = write_xlsx(COLUMNS, rows, "人口信息")
    data = read_back(content, "人口信息")
    assert data[0] == ["姓名", "出生日期", "人数", "登记时间", "备注"]
    assert data[1][:4] == ["张三", dt.date(1990, 5, 17), 3.0, dt.datetime(2026, 3, 1, 9, 30)]
    assert data[1][4] == ""
    assert data[2] == ["李四", "", 2.5, "", "是"]


def test_it_keeps_text_that_looks_like_a_formula_as_text():
    # Text cells, and a leading ' so that the sheet saved as CSV stays inert too
    # (tests/common/test_xlsx_safety.py).
    content = write_xlsx([("备注", 20)], [['=HYPERLINK("http://x")'], ["+1"]], "s")
    assert read_back(content, "s")[1:] == [['\'=HYPERLINK("http://x")'], ["'+1"]]


def test_it_freezes_and_bolds_the_header_and_formats_dates():
    content = write_xlsx(COLUMNS, [["王五", dt.date(2001, 2, 3)]], "s")
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet1.xml").decode()
        styles_xml = zf.read("xl/styles.xml").decode()
    assert 'state="frozen"' in sheet_xml and 'ySplit="1"' in sheet_xml
    assert "<b/>" in styles_xml
    assert 'formatCode="yyyy-mm-dd"' in styles_xml


def test_it_writes_an_empty_export_with_its_header():
    content = write_xlsx(COLUMNS, [], "s")
    assert read_back(content, "s") == [["姓名", "出生日期", "人数", "登记时间", "备注"]]


def test_it_streams_many_rows_from_a_generator():
    rows = ((f"人{i}", dt.date(2000, 1, 1) + dt.timedelta(days=i % 365), i) for i in range(20000))
    content = write_xlsx(COLUMNS[:3], rows, "s")
    data = read_back(content, "s")
    assert len(data) == 20001
    assert data[-1] == ["人19999", dt.date(2000, 1, 1) + dt.timedelta(days=19999 % 365), 19999.0]


def test_it_cleans_a_sheet_name_excel_would_refuse():
    long_name = "2026/03:出生[明细]表格超过三十一个字符的名称会被截断到三十一个"
    content = write_xlsx([("a", 5)], [["x"]], long_name)
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
    (name,) = workbook.sheet_names
    assert len(name) <= 31 and "/" not in name and ":" not in name


def test_it_serves_a_chinese_file_name():
    response = xlsx_response("审计日志_2026-03-01", b"PK")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert 'filename="_2026-03-01.xlsx"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "审计日志_2026-03-01.xlsx"
    assert " " not in encoded and '"' not in encoded


def test_it_converts_aware_datetimes_to_local_time():
    at = dt.datetime(2026, 1, 1, 23, 0, tzinfo=ZoneInfo("UTC"))
    data = read_back(write_xlsx([("t", 20)], [[at]], "s"), "s")
    assert data[1] == [dt.datetime(2026, 1, 2, 7, 0)]
