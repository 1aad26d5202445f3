"""Import of deaths (死亡): the person leaves the register, a spouse is widowed, open
migrations close. The rules and side effects are the death service's own
(check_death, deaths_write in registry/services/deaths.py), run over the whole file."""

from __future__ import annotations

from famplan.registry.imports._shared import (
    NOT_IN_SCOPE,
    VIA,
    RegistryImport,
    id_column,
    people_in_scope,
    report_problems,
)
from famplan.registry.services.deaths import DeathEntry, check_death, deaths_write
from famplan.registry.services.marriages import marriage_history
from famplan.transfer.imports.columns import Column, text
from famplan.transfer.imports.columns import date as date_cell
from famplan.transfer.imports.framework import (
    ImportContext,
    Row,
    import_type,
    report_duplicates,
)


@import_type
class DeathImport(RegistryImport):
    key = "deaths"
    label = "死亡"
    description = "死者须在人口库中；登记后注销户籍状态，其在婚配偶改为丧偶，未结束的流动记录注销。"
    columns = [
        id_column("身份证号", "id_number", True, "死者须已在人口库中且在您的管辖范围内"),
        Column("死亡日期", "died_on", True, date_cell(not_future=False), "不能晚于今天", width=12),
        Column("死亡原因", "cause", False, text(100), sample="疾病", width=20),
        Column("死亡地点", "place", False, text(100), sample="家中", width=20),
    ]

    # The service's field names -> this file's columns, where they differ.
    FIELDS = {"person": "id_number"}

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        report_duplicates(rows, ctx, "id_number", "同一人的死亡在第 {first} 行已填写")
        people = people_in_scope(ctx, (r["id_number"] for r in rows if r.ok("id_number")))
        history = marriage_history(p["pk"] for p in people.values())
        for row in rows:
            if not row["id_number"] or not row.ok("id_number"):
                continue
            person = people.get(row["id_number"])
            if person is None:
                ctx.error(row, "id_number", f"身份证号{NOT_IN_SCOPE}")
            elif row["died_on"] and row.ok("died_on"):
                report_problems(
                    row, ctx, check_death(self._entry(row, person), history), self.FIELDS
                )
        ctx.state.update(people=people, history=history)

    @staticmethod
    def _entry(row: Row, person: dict) -> DeathEntry:
        return DeathEntry(person, row["died_on"], row["cause"], row["place"])

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        people = ctx.state["people"]
        entries = [self._entry(row, people[row["id_number"]]) for row in rows]
        deaths, ended = deaths_write(
            actor=ctx.actor, entries=entries, history=ctx.state["history"], detail=VIA
        )
        return {"deaths": len(deaths), "marriages_ended": ended}
