"""The shared Excel writer keeps exports safe and whole: a text that would run as a
formula once saved as CSV gets a leading ', and characters XML 1.0 cannot hold are
escaped (_xHHHH_), never dropped. Real .xlsx files, read back by calamine and openpyxl."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape
from python_calamine import CalamineWorkbook

from famplan.common.xlsx import write_xlsx

COLUMNS = [("姓名", 10), ("备注", 30)]


def by_calamine(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def by_openpyxl(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def written(values: list[str]) -> tuple[list[str], list[str]]:
    content = write_xlsx([("备注", 30)], [[v] for v in values], "s")
    return [r[0] for r in by_calamine(content)[1:]], [r[0] for r in by_openpyxl(content)[1:]]


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://x","点击")',
        "+1+2",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "=cmd|' /C calc'!A0",
    ],
)
def test_it_neutralises_text_that_a_spreadsheet_would_run(text):
    calamine, openpyxl = written([text])
    assert calamine == ["'" + text]
    assert openpyxl == [visible("'" + text)]  # the CR shows as _x000D_ there


def test_it_leaves_other_text_and_numbers_alone():
    content = write_xlsx(COLUMNS, [["张三", "1=1"], ["李四", -5], ["王五", " =1"]], "s")
    assert by_calamine(content)[1:] == [["张三", "1=1"], ["李四", -5.0], ["王五", " =1"]]


def test_a_csv_saved_from_the_export_cannot_start_a_formula():
    content = write_xlsx(COLUMNS, [["张三", "=1+1"], ["-李", "@x"]], "s")
    out = io.StringIO()
    csv.writer(out).writerows(by_openpyxl(content))
    for row in csv.reader(io.StringIO(out.getvalue())):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def visible(text: str) -> str:
    """What a reader that does not decode OOXML escapes shows (openpyxl): each character
    XML cannot hold as _xHHHH_, in place; nothing dropped."""
    return re.sub("[\x00-\x08\x0b-\x1f\ufffe\uffff]", lambda m: f"_x{ord(m.group()):04X}_", text)


@pytest.mark.parametrize(
    "text",
    ["张\x01伟", "\x00", "a\x0bb\x0cc", "CR\rLF\nTAB\t", "末尾\x1f", "\x01_x0041_", "_x1234\x01"],
)
def test_it_keeps_characters_xml_cannot_hold(text):
    calamine, openpyxl = written([text])
    assert calamine == [text]  # calamine decodes the escapes, as Excel does
    assert openpyxl == [visible(text)]  # openpyxl shows them, escaped
    if "_x" not in text:  # a literal escape is left alone, so only then
        assert unescape(openpyxl[0]) == text


@pytest.mark.parametrize("text", ["_x0001_", "_x0041_", "_X00e9_", "前_x000D_后", "_x005F_"])
def test_it_keeps_a_literal_escape_sequence_literal(text):
    calamine, openpyxl = written([text])
    assert calamine == [text]
    if "x005F_" not in text:  # openpyxl deletes every "x005F_" it reads, ours or not
        assert openpyxl == [text]


def test_it_escapes_visibly_in_the_file_itself():
    content = write_xlsx(COLUMNS, [["张\x01伟", "_x0041_"], ["\ufffe", "\ud800"]], "s")
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        strings = package.read("xl/sharedStrings.xml").decode()
    assert "张_x0001_伟" in strings and "_x005F_x0041_" in strings
    # Noncharacters and a lone surrogate (no UTF-8 for it): escaped, not an error.
    assert "_xFFFE_" in strings and "_xD800_" in strings


XML_HOSTILE = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["_", "x", "X", "0", "1", "A", "f", "\x00", "\x01", "\r", "\t", "\uffff"]),
    ),
    min_size=1,  # an empty text is an empty cell
    max_size=30,
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@settings(max_examples=60, deadline=None)
@given(st.lists(XML_HOSTILE, min_size=1, max_size=5))
def test_every_stored_text_comes_back_whole(values):
    calamine, openpyxl = written(values)
    expected = ["'" + v if v.startswith(FORMULA_START) else v for v in values]
    # calamine leaves the two noncharacters escaped; everything else comes back as stored.
    assert calamine == [
        v.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_") for v in expected
    ]
    assert openpyxl == [visible(e) for e in expected]
