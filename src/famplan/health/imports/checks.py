"""Import of pre-pregnancy checks (孕前优生健康检查): the couple found as the form finds
them, the check service's rules (check_check) and writer (checks_write, follow-ups on
the schedule included), over the whole file."""

from __future__ import annotations

from famplan.accounts.roles import Cap
from famplan.health.imports._shared import (
    VIA,
    HealthImport,
    error_field,
    lookup_rows,
    person_columns,
    pick_row,
    ref_of,
    report,
    require_person,
    risk_factors,
    row_ok,
)
from famplan.health.models import RiskLevel
from famplan.health.people import pick_husband
from famplan.health.services import CheckEntry, check_check, checks_write, taken_checks
from famplan.registry.services.errors import FieldError
from famplan.transfer.imports.columns import Column, choice, text
from famplan.transfer.imports.columns import date as date_cell
from famplan.transfer.imports.framework import ImportContext, Row, import_type


@import_type
class CheckImport(HealthImport):
    key = "health_checks"
    label = "孕前优生健康检查"
    description = (
        "夫妻双方须在人口库中（身份证号，或姓名和村(居)）；男方不填时取女方的在婚配偶。"
        "每条检查自动排入早孕随访和妊娠结局随访。"
    )
    columns = [
        *person_columns("wife", "女方"),
        *person_columns("husband", "男方", note="不填则取人口库中女方的在婚配偶"),
        Column("检查日期", "checked_on", True, date_cell(), "不能晚于今天", width=12),
        Column("检查机构", "facility", True, text(100), sample="会宁县妇幼保健院", width=20),
        Column(
            "风险评估",
            "risk_level",
            True,
            choice(RiskLevel.choices, {"低": RiskLevel.LOW, "高": RiskLevel.HIGH}),
            sample="低风险",
        ),
        Column(
            "风险因素",
            "risk_factors",
            False,
            risk_factors,
            "高风险时必填；多项用顿号分隔",
            sample="高龄、贫血",
            width=24,
            empty=[],
        ),
        Column("咨询指导意见", "advice", False, text(500), width=30),
    ]
    # The service's field names -> this file's columns.
    FIELDS = {"wife": "wife_id", "husband": "husband_id"}

    def check(self, row: Row, ctx: ImportContext) -> None:
        require_person(row, ctx, "wife", "女方")

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        if ctx.refuse_without(Cap.HEALTH_CHECK_RECORD, rows, "登记孕前优生健康检查"):
            return
        lookup = lookup_rows(rows, ctx, ("wife", "husband"), husbands=True)
        found: list[tuple[Row, CheckEntry]] = []
        for row in rows:
            if not row.ok("wife_id") or not row_ok(row, "wife") or not row_ok(row, "husband"):
                continue
            wife = pick_row(lookup, row, ctx, "wife", "女方")
            if wife is None:
                continue
            try:
                husband = pick_husband(lookup, wife, ref_of(row, "husband"))
            except FieldError as exc:
                ctx.error(row, error_field("husband", row), exc.message)
                continue
            if not row.ok("checked_on", "facility", "risk_level", "risk_factors", "advice"):
                continue
            entry = CheckEntry(
                wife,
                husband,
                row["checked_on"],
                row["facility"],
                row["risk_level"],
                list(row["risk_factors"]),
                row["advice"],
            )
            found.append((row, entry))
        taken = taken_checks(e.wife.pk for _, e in found)
        entries = []
        for row, entry in found:
            problems = check_check(entry, taken)
            report(row, ctx, problems, self.FIELDS)
            taken.add((entry.wife.pk, entry.checked_on))  # a repeat later in the file
            entries.append(entry)
        ctx.state["entries"] = entries

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        checks = checks_write(actor=ctx.actor, entries=ctx.state["entries"], detail=VIA)
        return {"checks": len(checks)}
