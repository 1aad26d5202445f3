"""Writes to the division tree: importing NBS division tables (行政区划代码表).

The import validates the whole file first and reports every bad line; only a clean
file is written, all rows in one transaction, so a half-imported tree never exists.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.db import transaction

from famplan.audit.services import audit_log
from famplan.common.errors import DomainError
from famplan.common.progress import Progress, no_progress
from famplan.common.textfiles import decode_upload
from famplan.orgunits.models import CODE_LENGTH, LEVEL_ORDER, Level, OrgUnit

HEADER = ("code", "name", "level", "parent_code")
LEVEL_LABEL = dict(Level.choices)
# SQLite refuses statements with too many parameters; stay well under every limit.
_LOOKUP_CHUNK = 900
_WRITE_BATCH = 2000

Source = str | Path | IO[str] | IO[bytes] | Iterable[Mapping[str, Any]]


@dataclass(frozen=True)
class DivisionRow:
    line: int  # line number in the file, the header being line 1
    code: str
    name: str
    level: str
    parent_code: str


@dataclass(frozen=True)
class RowError:
    line: int
    field: str  # which column is wrong: code, name, level or parent_code ("" for the line)
    reason: str
    code: str = ""
    name: str = ""
    level: str = ""
    parent_code: str = ""

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.reason}"


class DivisionImportError(DomainError):
    """The file has bad lines; nothing was written. `errors` lists every one."""

    SHOWN = 20  # lines quoted in the message; the full list is in `errors`

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        lines = len({e.line for e in errors})
        head = "；".join(str(e) for e in errors[: self.SHOWN])
        more = f"；另有 {len(errors) - self.SHOWN} 处错误" if len(errors) > self.SHOWN else ""
        super().__init__(f"区划文件有 {lines} 行错误，未导入任何数据。{head}{more}")


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "total": self.total,
        }


# --- reading ---------------------------------------------------------------------


def _decode(raw: bytes) -> str:
    text = decode_upload(raw)
    if text is None:
        raise DivisionImportError(
            [RowError(1, "", "文件编码无法识别，请保存为 UTF-8 编码的 CSV 文件")]
        )
    return text


def divisions_read(source: Source) -> list[DivisionRow]:
    """Rows of a division CSV (a path, an open file, or dicts with the header's keys)."""
    if isinstance(source, (str, Path)):
        text = _decode(Path(source).read_bytes())
    elif hasattr(source, "read"):
        data = source.read()
        text = _decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    else:
        return [
            DivisionRow(
                line=number,
                code=str(row.get("code") or "").strip(),
                name=str(row.get("name") or "").strip(),
                level=str(row.get("level") or "").strip(),
                parent_code=str(row.get("parent_code") or "").strip(),
            )
            for number, row in enumerate(source, start=2)
        ]
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if tuple(header) != HEADER:
        raise DivisionImportError(
            [RowError(1, "", f"表头应为 {','.join(HEADER)}，实际为 {','.join(header) or '空'}")]
        )
    rows: list[DivisionRow] = []
    errors: list[RowError] = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank lines (often trailing) carry nothing
        if len(cells) != len(HEADER):
            errors.append(RowError(line, "", f"应有 {len(HEADER)} 列，实际为 {len(cells)} 列"))
            continue
        code, name, level, parent = (c.strip() for c in cells)
        rows.append(DivisionRow(line, code, name, level, parent))
    if errors:
        # Column-count errors first; the rows that did parse are checked as well so the
        # user sees every problem at once.
        errors.extend(divisions_validate(rows))
        raise DivisionImportError(sorted(errors, key=lambda e: e.line))
    return rows


# --- validation ------------------------------------------------------------------


def _existing_units(codes: Iterable[str]) -> dict[str, tuple[str, str, str | None]]:
    """(name, level, parent code) of the units already stored, by code."""
    codes = list(codes)
    found: dict[str, tuple[str, str, str | None]] = {}
    for start in range(0, len(codes), _LOOKUP_CHUNK):
        chunk = codes[start : start + _LOOKUP_CHUNK]
        for code, name, level, parent in OrgUnit.objects.filter(code__in=chunk).values_list(
            "code", "name", "level", "parent_id"
        ):
            found[code] = (name, level, parent)
    return found


def _add_error(errors: list[RowError], row: DivisionRow, column: str, reason: str) -> None:
    errors.append(
        RowError(row.line, column, reason, row.code, row.name, row.level, row.parent_code)
    )


def divisions_validate(rows: list[DivisionRow], *, within: str | None = None) -> list[RowError]:
    """Every problem of every row, in line order. Empty means the rows can be written.

    `within` (a unit code) limits the rows to that subtree: an import from the web
    may only touch the importing user's own jurisdiction.
    """
    errors: list[RowError] = []
    levels = set(LEVEL_ORDER)
    first_line: dict[str, int] = {}
    file_level: dict[str, str] = {}
    for row in rows:
        if row.code and row.code not in first_line:
            first_line[row.code] = row.line
            file_level[row.code] = row.level
    top_rank = min(
        (LEVEL_ORDER.index(Level(r.level)) for r in rows if r.level in levels), default=0
    )
    outside = {r.parent_code for r in rows if r.parent_code and r.parent_code not in first_line}
    stored = _existing_units(outside)

    for row in rows:
        bad = functools.partial(_add_error, errors, row)
        level_ok = row.level in levels
        if not level_ok:
            bad("level", f"未知的级别“{row.level}”，应为 {'/'.join(LEVEL_ORDER)} 之一")
        if not row.code:
            bad("code", "区划代码为空")
        elif not row.code.isdigit() or not row.code.isascii():
            bad("code", f"区划代码“{row.code}”含有非数字字符")
        elif level_ok and len(row.code) != CODE_LENGTH[row.level]:
            bad(
                "code",
                f"{LEVEL_LABEL[row.level]}级区划代码应为 {CODE_LENGTH[row.level]} 位，"
                f"“{row.code}”为 {len(row.code)} 位",
            )
        if not row.name:
            bad("name", "名称为空")
        if row.code and first_line.get(row.code) != row.line:
            bad("code", f"区划代码 {row.code} 与第 {first_line[row.code]} 行重复")
        if within and row.code and not row.code.startswith(within):
            bad("code", f"区划代码 {row.code} 不在本单位（{within}）辖区内")
        if level_ok:
            _check_parent(row, top_rank, file_level, stored, bad)
    return errors


def _check_parent(
    row: DivisionRow,
    top_rank: int,
    file_level: dict[str, str],
    stored: dict[str, tuple[str, str, str | None]],
    bad: Callable[[str, str], None],
) -> None:
    rank = LEVEL_ORDER.index(Level(row.level))
    parent = row.parent_code
    if rank == 0:
        if parent:
            bad("parent_code", f"省级区划不应有上级代码（“{parent}”）")
        return
    # The file's top rows may hang below a unit we do not have (the Huining file's county
    # names its city, 6204), but only down to the county: a township or village must
    # attach to a unit that exists, or a village file could invent its own townships.
    is_top = rank == top_rank and rank <= LEVEL_ORDER.index(Level.COUNTY)
    if not parent:
        if not is_top:
            bad("parent_code", "上级代码为空")
        return
    want = LEVEL_ORDER[rank - 1]
    if not row.code.startswith(parent):
        bad("parent_code", f"区划代码 {row.code} 不以上级代码 {parent} 开头")
        return
    if parent in file_level:
        parent_level = file_level[parent]
    elif parent in stored:
        parent_level = stored[parent][1]
    elif len(parent) != CODE_LENGTH[want]:
        parent_level = ""  # absent, and its length already says it is the wrong level
    elif is_top:
        return  # the file's top rows may hang below a unit we do not have: stored as roots
    else:
        bad("parent_code", f"上级区划 {parent} 既不在文件中，也不在系统中")
        return
    if parent_level != want:
        shown = LEVEL_LABEL.get(parent_level, f"{len(parent)} 位代码")
        bad(
            "parent_code",
            f"上级区划 {parent} 的级别为{shown}，{LEVEL_LABEL[row.level]}级区划的上级应为"
            f"{LEVEL_LABEL[want]}级",
        )


# --- writing ---------------------------------------------------------------------


def divisions_import(
    source: Source,
    *,
    actor: Any | None = None,
    within: str | None = None,
    source_name: str = "",
    progress: Progress = no_progress,
) -> ImportCounts:
    """Validate a whole division table, then upsert it in one transaction.

    Raises DivisionImportError listing every bad line, having written nothing.
    Idempotent: importing the same file again changes nothing.
    """
    report = progress
    report(2, "正在读取文件")
    rows = divisions_read(source)
    report(15, f"正在校验 {len(rows)} 行")
    errors = divisions_validate(rows, within=within)
    if errors:
        raise DivisionImportError(errors)
    if not rows:
        raise DivisionImportError([RowError(1, "", "文件中没有任何区划数据")])
    report(40, "校验通过，正在比对已有区划")

    # Parents first: rank order puts every parent in an earlier batch than its children.
    rows.sort(key=lambda r: (LEVEL_ORDER.index(Level(r.level)), r.code))
    codes = {r.code for r in rows}
    existing = _existing_units(codes | {r.parent_code for r in rows if r.parent_code})
    counts = ImportCounts()
    changed: list[OrgUnit] = []
    for row in rows:
        known = row.parent_code in codes or row.parent_code in existing
        parent = row.parent_code if known else None
        wanted = (row.name, row.level, parent)
        before = existing.get(row.code)
        if before is None:
            counts.created += 1
        elif before == wanted:
            counts.unchanged += 1
            continue
        else:
            counts.updated += 1
        changed.append(OrgUnit(code=row.code, name=row.name, level=row.level, parent_id=parent))

    with transaction.atomic():
        for start in range(0, len(changed), _WRITE_BATCH):
            OrgUnit.objects.bulk_create(
                changed[start : start + _WRITE_BATCH],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "level", "parent"],
            )
            report(40 + 55 * min(1, (start + _WRITE_BATCH) / len(changed)), "正在写入区划")
        top = rows[0]
        audit_log(
            actor=actor,
            action="orgunits.divisions.imported",
            org_unit_id=top.code if actor is None else None,
            detail={**counts.as_dict(), "source": source_name, "top": top.code},
        )
    return counts
