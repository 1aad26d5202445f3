"""The import pipeline: read, match headers, clean every cell, check every row, resolve
references in bulk, and only if nothing is wrong write everything in one transaction.

A record type (each app's `imports/` package, one module a type, registered with
@import_type) declares its columns and supplies three steps:
`check` (rules within one row, no database), `resolve` (lookups for all rows at once,
one query per chunk) and `write` (bulk inserts and updates, bulk audit rows).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import IntegrityError, transaction

from famplan.audit.services import audit_log
from famplan.common.errors import DomainError
from famplan.common.progress import Progress, no_progress
from famplan.orgunits.jurisdiction import scope
from famplan.orgunits.models import Level, OrgUnit
from famplan.transfer.imports.columns import CellInvalid, Column, as_text, is_empty
from famplan.transfer.imports.reading import UnreadableFile, read_table

# Columns our own error report adds; a corrected report can be uploaded again as is.
IGNORED_HEADERS = frozenset({"原行号", "错误原因"})
_CLEAN_CHUNK = 5000
_HEADER_NOISE = re.compile(r"[\s*＊]")


@dataclass(frozen=True)
class CellError:
    row: int  # the row number Excel shows (the header is usually row 1)
    header: str  # the column's header, "" for a problem with the whole row or file
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"“{self.header}”列" if self.header else ""
        return f"第 {self.row} 行{where}：{self.reason}"


class ImportFailed(DomainError):
    """The file has errors and nothing was written. Carries what the report needs."""

    def __init__(
        self,
        errors: list[CellError],
        *,
        headers: Sequence[str] = (),
        bad_rows: Sequence[tuple[int, Sequence[Any]]] = (),
        total_rows: int = 0,
    ) -> None:
        self.errors = errors
        self.headers = list(headers)
        self.bad_rows = list(bad_rows)
        self.total_rows = total_rows
        if len(errors) == 1 and not errors[0].header and not bad_rows:
            # A problem with the whole file (empty, unreadable, no data rows): say which.
            super().__init__(f"{errors[0].reason}，未导入任何数据。")
            return
        lines = len({e.row for e in errors})
        super().__init__(f"文件有 {lines} 行共 {len(errors)} 处错误，未导入任何数据。")


class Row:
    """One data row: its Excel row number, the raw cells, and the cleaned values."""

    __slots__ = ("failed", "number", "raw", "values")

    def __init__(self, number: int, raw: Sequence[Any], values: dict[str, Any]) -> None:
        self.number = number
        self.raw = raw
        self.values = values
        self.failed: set[str] = set()

    def __getitem__(self, field_name: str) -> Any:
        return self.values[field_name]

    def ok(self, *fields: str) -> bool:
        """True when these fields were all readable (blank optional ones count as ok)."""
        return not self.failed.intersection(fields)


@dataclass
class ImportResult:
    rows: int
    counts: dict[str, int] = field(default_factory=dict)


def normalize_header(raw: Any) -> str:
    # People retype headers: full-width brackets, stray spaces, a '*' marking required.
    return _HEADER_NOISE.sub("", as_text(raw)).replace("（", "(").replace("）", ")")


class ImportContext:
    """What the steps of one import share: the actor, the column positions, the errors."""

    def __init__(
        self, record_type: RecordType, actor: Any, index: dict[str, int], job: Any = None
    ) -> None:
        self.record_type = record_type
        self.actor = actor
        self.job = job  # the import job running this file, if any
        self.index = index  # field name -> position of its column in the file
        self.columns = {c.field: c for c in record_type.columns}
        self.errors: list[CellError] = []
        self.state: dict[str, Any] = {}  # what resolve found, for write
        # Run once the import's transaction has ended, committed or rolled back: what
        # must be recorded even though the file was refused (e.g. a number conflict
        # for the county's worklist).
        self.after_transaction: list[Callable[[], None]] = []
        self._villages: dict[str, str] | None = None
        self._village_names: dict[str, list[str]] | None = None

    def error(self, row: Row, field_name: str, reason: str) -> None:
        column = self.columns.get(field_name)
        position = self.index.get(field_name)
        value = row.raw[position] if position is not None and position < len(row.raw) else ""
        self.errors.append(
            CellError(row.number, column.header if column else "", as_text(value), reason)
        )
        row.failed.add(field_name)

    def refuse_without(self, capability: str, rows: list[Row], doing: str) -> bool:
        """True (and the whole file refused) when the actor may not do what the file
        does: the capability of the form the record type stands in for."""
        if self.actor.can(capability):
            return False
        self.error(rows[0], "", f"您没有{doing}的权限")
        return True

    # --- lookups shared by record types ---------------------------------------------

    def _load_villages(self) -> None:
        villages = scope(OrgUnit.objects.filter(level=Level.VILLAGE), self.actor, "code")
        self._villages, self._village_names = {}, {}
        for code, name in villages.values_list("code", "name"):
            self._villages[code] = code
            self._village_names.setdefault(name, []).append(code)

    def resolve_village(self, row: Row, field_name: str) -> None:
        """Replace a village code or name by the code of a village in the actor's subtree."""
        raw = row.values.get(field_name)
        if not raw or not row.ok(field_name):
            return
        if self._villages is None:
            self._load_villages()
        code = self._villages.get(raw)
        if code is None:
            named = self._village_names.get(raw, [])
            if len(named) > 1:
                self.error(
                    row, field_name, f"有 {len(named)} 个村(居)名为“{raw}”，请填写村(居)代码"
                )
                return
            code = named[0] if named else None
        if code is None:
            self.error(row, field_name, f"村(居)“{raw}”不存在或不在您的管辖范围内")
            return
        row.values[field_name] = code


class RecordType:
    """One kind of record that can be imported. Subclasses declare and implement."""

    key: ClassVar[str]
    label: ClassVar[str]
    columns: ClassVar[list[Column]]
    description: ClassVar[str] = ""

    def check(self, row: Row, ctx: ImportContext) -> None:
        """Rules within one row (no database). Report with ctx.error."""

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        """Bulk lookups for all rows: references, duplicates against the database."""

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        raise NotImplementedError

    def samples(self, village_code: str) -> dict[str, Any]:
        """Sample values for the template's notes, by field name (a village of the user's)."""
        return {}


# Every importable record type by key, in registration order (the order of the menu).
IMPORT_TYPES: dict[str, RecordType] = {}


def import_type(cls: type[RecordType]) -> type[RecordType]:
    """Register a record type with the import pages and the import job. Apps register
    theirs from AppConfig.ready(), as job handlers are, so the worker knows them too."""
    if cls.key in IMPORT_TYPES:
        raise ValueError(f"import type {cls.key!r} is registered twice")
    IMPORT_TYPES[cls.key] = cls()
    return cls


def report_duplicates(
    rows: Iterable[Row], ctx: ImportContext, field_name: str, reason: str = "与第 {first} 行重复"
) -> None:
    """Flag every repeat of a value of `field_name` within the file."""
    seen: dict[Any, int] = {}
    for row in rows:
        value = row.values.get(field_name)
        if not value or not row.ok(field_name):
            continue
        first = seen.setdefault(value, row.number)
        if first != row.number:
            ctx.error(row, field_name, reason.format(first=first))


# --- the pipeline ------------------------------------------------------------------


def _match_headers(
    header: Sequence[Any], record_type: RecordType, row_number: int
) -> tuple[dict[str, int], list[CellError]]:
    by_header = {normalize_header(c.header): c for c in record_type.columns}
    index: dict[str, int] = {}
    errors: list[CellError] = []
    for position, cell in enumerate(header):
        name = normalize_header(cell)
        if not name or name in IGNORED_HEADERS:
            continue
        column = by_header.get(name)
        if column is None:
            errors.append(CellError(row_number, as_text(cell), as_text(cell), "无法识别的列名"))
        elif column.field in index:
            errors.append(CellError(row_number, column.header, as_text(cell), "列名重复"))
        else:
            index[column.field] = position
    for column in record_type.columns:
        if column.required and column.field not in index:
            errors.append(CellError(row_number, column.header, "", "缺少必填列"))
    return index, errors


def _clean_rows(
    table: list[list[Any]], start: int, ctx: ImportContext, progress: Progress
) -> list[Row]:
    columns = [(c, ctx.index.get(c.field)) for c in ctx.record_type.columns]
    rows: list[Row] = []
    total = max(len(table) - start, 1)
    for offset, raw in enumerate(table[start:]):
        if offset % _CLEAN_CHUNK == 0 and offset:
            progress(5 + 45 * offset / total, f"正在校验第 {offset} 行")
        if all(is_empty(cell) for cell in raw):
            continue  # blank lines (often trailing ones) carry nothing
        row = Row(start + offset + 1, raw, {})
        values = row.values
        width = len(raw)
        for column, position in columns:
            cell = raw[position] if position is not None and position < width else None
            if cell is None or cell == "" or (isinstance(cell, str) and not cell.strip()):
                if column.required:
                    ctx.error(row, column.field, "必填项不能为空")
                    values[column.field] = None
                else:
                    values[column.field] = column.empty
                continue
            try:
                values[column.field] = column.clean(cell)
            except CellInvalid as exc:
                ctx.error(row, column.field, str(exc))
                values[column.field] = None
        rows.append(row)
    return rows


def _failure(ctx: ImportContext, header: Sequence[Any], rows: list[Row]) -> ImportFailed:
    order = {c.header: i for i, c in enumerate(ctx.record_type.columns)}
    errors = sorted(ctx.errors, key=lambda e: (e.row, order.get(e.header, -1)))
    bad = {e.row for e in errors}
    return ImportFailed(
        errors,
        headers=[as_text(h) for h in header],
        bad_rows=[(r.number, r.raw) for r in rows if r.number in bad],
        total_rows=len(rows),
    )


def import_table(
    *,
    content: bytes,
    filename: str,
    record_type: RecordType,
    actor: Any,
    progress: Progress = no_progress,
    job: Any = None,
) -> ImportResult:
    """Validate the whole file, then write every row in one transaction, or none.

    Raises ImportFailed listing every bad cell when anything is wrong."""
    progress(1, "正在读取文件")
    try:
        table = read_table(content, filename)
    except UnreadableFile as exc:
        raise ImportFailed([CellError(1, "", "", exc.message)]) from None
    start = next((i for i, r in enumerate(table) if not all(is_empty(c) for c in r)), None)
    if start is None:
        raise ImportFailed([CellError(1, "", "", "文件是空的")])
    header = table[start]
    index, header_errors = _match_headers(header, record_type, start + 1)
    if header_errors:
        raise ImportFailed(header_errors, headers=[as_text(h) for h in header])
    ctx = ImportContext(record_type, actor, index, job)
    rows = _clean_rows(table, start + 1, ctx, progress)
    del table
    if not rows:
        raise ImportFailed([CellError(start + 2, "", "", "文件中没有数据行")])
    progress(50, "正在检查各行数据")
    for row in rows:
        record_type.check(row, ctx)
    progress(60, "正在核对人口库")
    try:
        return _resolve_and_write(ctx, header, rows, filename, progress)
    finally:
        for callback in ctx.after_transaction:
            callback()


def _resolve_and_write(
    ctx: ImportContext, header: Sequence[Any], rows: list[Row], filename: str, progress: Progress
) -> ImportResult:
    record_type, actor = ctx.record_type, ctx.actor
    try:
        with transaction.atomic():
            record_type.resolve(rows, ctx)
            if ctx.errors:
                raise _failure(ctx, header, rows)
            progress(75, f"校验通过，正在写入 {len(rows)} 行")
            counts = record_type.write(rows, ctx)
            audit_log(
                actor=actor,
                action="transfer.import.completed",
                detail={
                    "record_type": record_type.key,
                    "file": filename[:200],
                    "rows": len(rows),
                    **counts,
                },
            )
    except IntegrityError:
        # Someone registered the same person between our checks and the write.
        raise ImportFailed(
            [
                CellError(
                    1, "", "", "导入期间人口库发生了变化（如同一身份证号已被他人登记），请重新导入"
                )
            ]
        ) from None
    return ImportResult(rows=len(rows), counts=counts)
