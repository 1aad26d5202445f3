"""Reading an uploaded table: the first sheet of an .xlsx (python-calamine) or a CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from python_calamine import CalamineWorkbook

from famplan.common.errors import DomainError
from famplan.common.textfiles import decode_upload

SUPPORTED_EXTENSIONS = (".xlsx", ".csv")


class UnreadableFile(DomainError):
    """The file could not be read as a table at all."""


def _decode(raw: bytes) -> str:
    text = decode_upload(raw)
    if text is None:
        raise UnreadableFile("文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV 文件")
    return text


def read_table(content: bytes, filename: str) -> list[list[Any]]:
    """All rows of the table; list index i is the row Excel shows as number i + 1."""
    name = filename.lower()
    if name.endswith(".csv"):
        return [list(row) for row in csv.reader(io.StringIO(_decode(content)))]
    if name.endswith(".xlsx"):
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            if not workbook.sheet_names:
                raise UnreadableFile("文件中没有工作表")
            # skip_empty_area=False keeps leading blank rows, so row numbers match Excel.
            return workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except UnreadableFile:
            raise
        except Exception:  # calamine raises its own error types for broken files
            raise UnreadableFile("无法读取该 Excel 文件，请确认是 .xlsx 格式且未加密") from None
    raise UnreadableFile("只能导入 .xlsx 或 .csv 文件")
