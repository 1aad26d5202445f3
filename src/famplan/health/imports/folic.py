"""Import of folic acid issues (叶酸发放): the woman found as the form finds her, the
issue service's rules (check_folic_issue) and writer (folic_issues_write)."""

from __future__ import annotations

from famplan.accounts.roles import Cap
from famplan.health.imports._shared import (
    VIA,
    HealthImport,
    lookup_rows,
    person_columns,
    pick_row,
    report,
    require_person,
    row_ok,
)
from famplan.health.models import QuantityUnit
from famplan.health.schedule import FOLIC_MAX
from famplan.health.services import FolicEntry, check_folic_issue, folic_issues_write
from famplan.transfer.imports.columns import Column, choice, integer, text
from famplan.transfer.imports.columns import date as date_cell
from famplan.transfer.imports.framework import ImportContext, Row, import_type


@import_type
class FolicImport(HealthImport):
    key = "health_folic"
    label = "叶酸发放"
    description = (
        "服用人须在人口库中（身份证号，或姓名和村(居)）；每日0.4毫克，孕前3个月至孕早期3个月。"
    )
    columns = [
        *person_columns("woman", "服用人"),
        Column("发放日期", "issued_on", True, date_cell(), "不能晚于今天", width=12),
        Column(
            "数量",
            "quantity",
            True,
            integer(1, max(FOLIC_MAX.values()), "数量应为正整数"),
            f"瓶：1至{FOLIC_MAX['bottle']}；片：1至{FOLIC_MAX['tablet']}",
            sample=2,
            width=8,
        ),
        Column("单位", "quantity_unit", True, choice(QuantityUnit.choices), sample="瓶", width=8),
        Column("备注", "note", False, text(300), width=30),
    ]
    FIELDS = {"woman": "woman_id"}

    def check(self, row: Row, ctx: ImportContext) -> None:
        require_person(row, ctx, "woman", "服用人")

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        if ctx.refuse_without(Cap.HEALTH_FOLIC_RECORD, rows, "登记叶酸发放"):
            return
        lookup = lookup_rows(rows, ctx, ("woman",))
        entries = []
        for row in rows:
            if not row.ok("woman_id") or not row_ok(row, "woman"):
                continue
            woman = pick_row(lookup, row, ctx, "woman", "服用人")
            if woman is None or not row.ok("issued_on", "quantity", "quantity_unit", "note"):
                continue
            entry = FolicEntry(
                woman, row["issued_on"], row["quantity"], row["quantity_unit"], row["note"]
            )
            report(row, ctx, check_folic_issue(entry), self.FIELDS)
            entries.append(entry)
        ctx.state["entries"] = entries

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        issues = folic_issues_write(actor=ctx.actor, entries=ctx.state["entries"], detail=VIA)
        return {"folic_issues": len(issues)}
