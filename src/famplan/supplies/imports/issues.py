"""Import of monthly issue counts (药具月发放数): one row per point, month and kind.

The rules and the writes are the issue form's own (check_movements, movements_write in
supplies/services.py), run over the whole file in row order, so two rows cannot
together issue more than a point holds, and the form and the file refuse alike."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from famplan.common.bulk import chunked
from famplan.common.dates import today
from famplan.orgunits.jurisdiction import scope
from famplan.supplies.models import Direction, DistributionPoint, SupplyKind
from famplan.supplies.services import (
    MAX_QUANTITY,
    MovementEntry,
    check_movements,
    entry_refusal,
    lock_points,
    month_end,
    movement_history,
    movements_write,
)
from famplan.transfer.imports.columns import CellInvalid, Column, as_text, integer, parse_date, text
from famplan.transfer.imports.framework import ImportContext, RecordType, Row, import_type

VIA = {"via": "import"}
_MONTH_TEXT = re.compile(r"^(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*月?|(\d{2}))$")


def parse_month(value: Any) -> dt.date:
    """A month as people type it: 2026-03, 2026/3, 2026.3, 2026年3月, 202603, or a date
    (an Excel date cell, 2026-03-15: its month). Returns the month's first day."""
    if isinstance(value, dt.date):
        return (value.date() if isinstance(value, dt.datetime) else value).replace(day=1)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    raw = str(value) if isinstance(value, int) and not isinstance(value, bool) else as_text(value)
    match = _MONTH_TEXT.match(raw)
    if match:
        year, month = int(match.group(1)), int(match.group(2) or match.group(3))
        if not 1 <= month <= 12:
            raise CellInvalid(f"月份{month}不存在")
        if year < 2000:
            raise CellInvalid("月份早于2000年，请核对")
        return dt.date(year, month, 1)
    try:
        day = parse_date(value)
    except CellInvalid:
        raise CellInvalid("月份格式无法识别，请填写如 2026-03 的月份") from None
    if day.year < 2000:
        raise CellInvalid("月份早于2000年，请核对")
    return day.replace(day=1)


def month_cell() -> Any:
    def clean(value: Any) -> dt.date:
        return parse_month(value)

    return clean


@import_type
class IssueCountImport(RecordType):
    key = "supply_issues"
    label = "药具月发放数"
    description = (
        "每行一个发放点一个月一种药具的发放总数（只填数量，不填领取人）；"
        "记在该月最后一天，不能超过发放点的库存；同一发放点同月同种药具只能登记一次，"
        "已按日期登记发放的月份不能再导入月发放数。"
    )
    columns = [
        Column(
            "村(居)", "unit_id", True, text(30),
            "发放点所在村(居)：12位代码，或管辖范围内唯一的村(居)名称", width=16, as_text=True,
        ),
        Column("发放点", "point", True, text(100), "发放点名称，与系统中一致", width=22),
        Column("月份", "month", True, month_cell(), "如 2026-03；该月须已结束", width=10),
        Column("药具", "kind", True, text(50), "药具种类的名称或代码，见药具种类页", width=16),
        Column(
            "数量", "quantity", True, integer(1, MAX_QUANTITY, f"数量应为 1 到 {MAX_QUANTITY}"),
            "该月发放总数", sample=120, width=10,
        ),
        Column("备注", "note", False, text(200), width=20),
    ]  # fmt: skip

    # The service's field names -> this file's columns, where they differ.
    FIELDS = {"moved_on": "month"}

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        for row in rows:
            ctx.resolve_village(row, "unit_id")
        kinds = {}
        for kind in SupplyKind.objects.all():
            kinds[kind.name] = kinds[kind.code] = kind
        wanted = {(r["unit_id"], r["point"]) for r in rows if r.ok("unit_id", "point")}
        points = self._points(ctx, wanted)
        lock_points(p["pk"] for p in points.values())
        entries: list[tuple[Row, MovementEntry]] = []
        for row in rows:
            if not row.ok("unit_id", "point", "month", "kind", "quantity"):
                continue
            point = points.get((row["unit_id"], row["point"]))
            if point is None:
                ctx.error(row, "point", f"该村(居)没有名为“{row['point']}”的发放点")
                continue
            if refusal := entry_refusal(ctx.actor, point):
                ctx.error(row, "point", refusal)
                continue
            kind = kinds.get(row["kind"])
            if kind is None:
                ctx.error(row, "kind", f"没有名为“{row['kind']}”的药具种类")
                continue
            entry = MovementEntry(
                point,
                {"pk": kind.pk, "name": kind.name, "unit": kind.unit, "active": kind.active},
                Direction.ISSUE,
                month_end(row["month"]),
                row["quantity"],
                monthly=True,
                note=row["note"],
            )
            entries.append((row, entry))
        history = movement_history(e.key for _, e in entries)
        problems = check_movements([e for _, e in entries], history)
        for (row, _entry), found in zip(entries, problems, strict=True):
            for problem in found:
                ctx.error(row, self.FIELDS.get(problem.field, problem.field), problem.message)
        ctx.state["entries"] = [e for _, e in entries]

    @staticmethod
    def _points(ctx: ImportContext, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], dict]:
        """The actor's points by (village, name), one query per chunk of villages."""
        villages = sorted({unit for unit, _ in wanted})
        found: dict[tuple[str, str], dict] = {}
        points = scope(DistributionPoint.objects.all(), ctx.actor, "unit")
        for chunk in chunked(villages):
            for values in points.filter(unit_id__in=chunk).values(
                "pk", "unit_id", "name", "place_kind", "opened_on", "closed_on"
            ):
                found[(values["unit_id"], values["name"])] = values
        return found

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        written = movements_write(actor=ctx.actor, entries=ctx.state["entries"], detail=VIA)
        return {"supply_issues": len(written)}

    def samples(self, village_code: str) -> dict[str, Any]:
        last = today().replace(day=1) - dt.timedelta(days=1)
        return {
            "unit_id": village_code,
            "point": "村卫生室",
            "month": f"{last:%Y-%m}",
            "kind": "男用避孕套",
        }
