"""Import of marriages (婚姻): both spouses on the register, first or remarriage by history.
The rules and side effects are the marriage service's own (check_marriage,
marriages_write in registry/services/marriages.py), run over the whole file."""

from __future__ import annotations

from famplan.registry.imports._shared import (
    NOT_IN_SCOPE,
    VIA,
    RegistryImport,
    id_column,
    people_in_scope,
    report_problems,
)
from famplan.registry.services.marriages import (
    MarriageEntry,
    check_marriage,
    marriage_history,
    marriages_write,
)
from famplan.transfer.imports.columns import Column
from famplan.transfer.imports.columns import date as date_cell
from famplan.transfer.imports.framework import (
    ImportContext,
    Row,
    import_type,
    report_duplicates,
)


@import_type
class MarriageImport(RegistryImport):
    key = "marriages"
    label = "婚姻"
    description = "夫妻双方须在人口库中且无在婚记录；初婚/再婚按各自婚史自动判断。"
    columns = [
        id_column("丈夫身份证号", "husband_id", True, "须已在人口库中且在您的管辖范围内"),
        id_column("妻子身份证号", "wife_id", True, "须已在人口库中且在您的管辖范围内"),
        Column(
            "结婚日期", "married_on", True, date_cell(not_future=False), "不能晚于今天", width=12
        ),
    ]
    # The service's field names -> this file's columns, where they differ.
    FIELDS = {"husband": "husband_id", "wife": "wife_id"}

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        for field in ("husband_id", "wife_id"):
            report_duplicates(rows, ctx, field, "同一人在第 {first} 行已有结婚记录")
        people = people_in_scope(
            ctx, [r["husband_id"] for r in rows] + [r["wife_id"] for r in rows]
        )
        history = marriage_history(p["pk"] for p in people.values())
        for row in rows:
            # A spouse this row cannot name (a bad or repeated cell, someone not found)
            # is None: the other one is still checked.
            spouses = {}
            for field in ("husband_id", "wife_id"):
                found = people.get(row[field]) if row[field] and row.ok(field) else None
                if row[field] and row.ok(field) and found is None:
                    ctx.error(row, field, f"身份证号{NOT_IN_SCOPE}")
                spouses[field] = found
            if any(spouses.values()) and row["married_on"] and row.ok("married_on"):
                entry = MarriageEntry(spouses["husband_id"], spouses["wife_id"], row["married_on"])
                report_problems(row, ctx, check_marriage(entry, history), self.FIELDS)
        ctx.state.update(people=people, history=history)

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        people = ctx.state["people"]
        entries = [
            MarriageEntry(people[row["husband_id"]], people[row["wife_id"]], row["married_on"])
            for row in rows
        ]
        marriages = marriages_write(
            actor=ctx.actor, entries=entries, history=ctx.state["history"], detail=VIA
        )
        return {"marriages": len(marriages)}
