"""Import of deaths (死亡): the person leaves the register, a spouse is widowed."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

from famplan.common.bulk import bulk_set, chunked, insert_objects
from famplan.registry.imports._shared import (
    NOT_IN_SCOPE,
    RegistryImport,
    audit_imported,
    id_column,
    people_in_scope,
)
from famplan.registry.models import (
    Death,
    MaritalStatus,
    Marriage,
    MarriageEnd,
    Person,
    PersonStatus,
)
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
    description = "死者须在人口库中；登记后注销户籍状态，其在婚配偶改为丧偶。"
    columns = [
        id_column("身份证号", "id_number", True, "死者须已在人口库中且在您的管辖范围内"),
        Column("死亡日期", "died_on", True, date_cell(), "不能晚于今天", width=12),
        Column("死亡原因", "cause", False, text(100), sample="疾病", width=20),
        Column("死亡地点", "place", False, text(100), sample="家中", width=20),
    ]

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        report_duplicates(rows, ctx, "id_number", "同一人的死亡在第 {first} 行已填写")
        people = people_in_scope(ctx, (r["id_number"] for r in rows if r.ok("id_number")))
        for row in rows:
            if not row["id_number"] or not row.ok("id_number"):
                continue
            person = people.get(row["id_number"])
            if person is None:
                ctx.error(row, "id_number", f"身份证号{NOT_IN_SCOPE}")
            elif person["status"] == PersonStatus.DECEASED:
                ctx.error(row, "id_number", f"{person['name']}的死亡已登记")
            elif row["died_on"] and row.ok("died_on"):
                if row["died_on"] < person["birth_date"]:
                    ctx.error(row, "died_on", "死亡日期早于出生日期")
                elif row["died_on"] < person["registered_on"]:
                    ctx.error(row, "died_on", "死亡日期早于登记日期")
        ctx.state["people"] = people

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        actor, people = ctx.actor, ctx.state["people"]
        deaths = []
        for row in rows:
            person = people[row["id_number"]]
            deaths.append(
                Death(
                    unit_id=person["unit_id"],
                    entered_by=actor,
                    person_id=person["pk"],
                    died_on=row["died_on"],
                    cause=row["cause"],
                    place=row["place"],
                )
            )
        insert_objects(Death, deaths)
        died = {d.person_id: d.died_on for d in deaths}
        bulk_set(
            Person,
            ["status", "left_on"],
            [(p, (PersonStatus.DECEASED, d)) for p, d in died.items()],
        )
        ended = self._end_marriages(died)
        audit_imported(actor, "registry.death.recorded", deaths)
        return {"deaths": len(deaths), "marriages_ended": ended}

    @staticmethod
    def _end_marriages(died: dict[int, date]) -> int:
        """As death_record does: the current marriage ends on the day of death and the
        surviving spouse is widowed (where both died, at the first death)."""
        marriages: dict[int, tuple[int, int]] = {}
        ids = sorted(died)
        for chunk in chunked(ids, 450):  # two IN lists per statement
            current = Marriage.objects.filter(
                Q(husband_id__in=chunk) | Q(wife_id__in=chunk), ended_on__isnull=True
            )
            marriages.update(
                (pk, (h, w)) for pk, h, w in current.values_list("pk", "husband_id", "wife_id")
            )
        ends, widowed = [], []
        for pk, (husband, wife) in marriages.items():
            day, first = min((died[p], p) for p in (husband, wife) if p in died)
            ends.append((pk, (day, MarriageEnd.DEATH)))
            widowed.append((wife if first == husband else husband, (MaritalStatus.WIDOWED,)))
        bulk_set(Marriage, ["ended_on", "end_cause"], ends)
        bulk_set(Person, ["marital_status"], widowed)
        return len(ends)
