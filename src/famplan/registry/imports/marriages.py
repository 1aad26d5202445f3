"""Import of marriages (婚姻): both spouses on the register, first or remarriage by history."""

from __future__ import annotations

from django.db.models import Q

from famplan.common.bulk import bulk_set, chunked, insert_objects
from famplan.common.dates import age_on
from famplan.registry.imports._shared import (
    NOT_IN_SCOPE,
    RegistryImport,
    audit_imported,
    id_column,
    on_register,
    people_in_scope,
)
from famplan.registry.models import (
    MaritalStatus,
    Marriage,
    MarriageKind,
    Person,
    Sex,
)
from famplan.registry.services.marriages import LEGAL_MARRIAGE_AGE
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
        Column("结婚日期", "married_on", True, date_cell(), "不能晚于今天", width=12),
    ]
    SPOUSES = (
        ("husband_id", Sex.MALE, "丈夫的性别应为男"),
        ("wife_id", Sex.FEMALE, "妻子的性别应为女"),
    )

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        for field, _, _ in self.SPOUSES:
            report_duplicates(rows, ctx, field, "同一人在第 {first} 行已有结婚记录")
        people = people_in_scope(
            ctx, [r["husband_id"] for r in rows] + [r["wife_id"] for r in rows]
        )
        pks = sorted({p["pk"] for p in people.values()})
        married_before: set[int] = set()
        married_now: set[int] = set()
        for chunk in chunked(pks, 450):
            for husband, wife, ended in Marriage.objects.filter(
                Q(husband_id__in=chunk) | Q(wife_id__in=chunk)
            ).values_list("husband_id", "wife_id", "ended_on"):
                married_before.update((husband, wife))
                if ended is None:
                    married_now.update((husband, wife))
        for row in rows:
            day = row["married_on"] if row.ok("married_on") else None
            for field, sex, wrong_sex in self.SPOUSES:
                if not row[field] or not row.ok(field):
                    continue
                person = people.get(row[field])
                if person is None:
                    ctx.error(row, field, f"身份证号{NOT_IN_SCOPE}")
                elif person["sex"] != sex:
                    ctx.error(row, field, wrong_sex)
                elif day is not None and on_register(row, ctx, field, person, day):
                    legal_age = LEGAL_MARRIAGE_AGE[sex]
                    if person["pk"] in married_now:
                        ctx.error(row, field, f"{person['name']}已有在婚记录，须先登记离婚或丧偶")
                    elif age_on(person["birth_date"], day) < legal_age:
                        ctx.error(row, field, f"{person['name']}结婚时未满法定婚龄{legal_age}岁")
        ctx.state.update(people=people, married_before=married_before)

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        actor, people, before = ctx.actor, ctx.state["people"], ctx.state["married_before"]
        marriages, statuses = [], []
        for row in rows:
            husband, wife = people[row["husband_id"]], people[row["wife_id"]]
            remarried = {p["pk"]: p["pk"] in before for p in (husband, wife)}
            marriages.append(
                Marriage(
                    unit_id=wife["unit_id"],
                    entered_by=actor,
                    husband_id=husband["pk"],
                    wife_id=wife["pk"],
                    married_on=row["married_on"],
                    kind=MarriageKind.RE if any(remarried.values()) else MarriageKind.FIRST,
                )
            )
            statuses.extend(
                (pk, (MaritalStatus.REMARRIED if again else MaritalStatus.FIRST_MARRIED,))
                for pk, again in remarried.items()
            )
        insert_objects(Marriage, marriages)
        bulk_set(Person, ["marital_status"], statuses)
        audit_imported(actor, "registry.marriage.recorded", marriages)
        return {"marriages": len(marriages)}
