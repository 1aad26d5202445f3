"""Import of people (人员): one row a person, households made or joined by number."""

from __future__ import annotations

from famplan.registry.imports._shared import (
    SEX,
    VIA,
    VILLAGE_NOTE,
    RegistryImport,
    check_id_number,
    id_column,
    report_problems,
    report_taken_id,
)
from famplan.registry.models import (
    Ethnicity,
    HukouType,
    MaritalStatus,
    Relation,
)
from famplan.registry.services import PersonData
from famplan.registry.services.checks import id_number_holders, taken_number_error
from famplan.registry.services.people import (
    household_problems,
    households_by_number,
    households_write,
    people_write,
    person_problems,
)
from famplan.transfer.imports.columns import Column, choice, phone, text
from famplan.transfer.imports.columns import date as date_cell
from famplan.transfer.imports.framework import (
    ImportContext,
    Row,
    import_type,
    report_duplicates,
)


@import_type
class PersonImport(RegistryImport):
    key = "persons"
    label = "人员"
    description = "人口基础信息；填写户号时按户号建户或加入已有的户。"
    columns = [
        Column("姓名", "name", True, text(50), sample="张秀英"),
        id_column(
            "身份证号",
            "id_number",
            note="18位，末位可为X；无身份证号（如新生儿）可留空",
            check=False,  # check() parses it, through check_person_facts
        ),
        Column("性别", "sex", True, SEX, sample="女", width=8),
        Column("出生日期", "birth_date", True, date_cell(), "如 1990-05-17", width=12),
        Column("民族", "ethnicity", False, choice(Ethnicity.choices), sample="汉族", width=10),
        Column("户口性质", "hukou_type", False, choice(HukouType.choices), sample="农业"),
        Column("村(居)代码", "unit_id", True, text(50), VILLAGE_NOTE, width=16, as_text=True),
        Column("户号", "household_number", False, text(30), "同一户的成员填同一户号", as_text=True),
        Column("与户主关系", "relation_to_head", False, choice(Relation.choices), sample="户主"),
        Column(
            "婚姻状况",
            "marital_status",
            False,
            choice(MaritalStatus.choices, {"已婚": MaritalStatus.FIRST_MARRIED}),
            sample="初婚",
        ),
        Column("联系电话", "phone", False, phone(), as_text=True, sample="13800000000"),
        Column("登记日期", "registered_on", False, date_cell(), "留空为导入当天", empty=None),
    ]
    # The service's field names -> this file's columns.
    FACTS = {
        "name": "name",
        "id_number": "id_number",
        "sex": "sex",
        "birth_date": "birth_date",
        "registered_on": "registered_on",
        "household": "household_number",
        "relation_to_head": "relation_to_head",
    }

    def check(self, row: Row, ctx: ImportContext) -> None:
        # The registry's person rules (person_problems, as person_create runs them);
        # a household named by number is checked in resolve, once it is looked up.
        values = row.values
        ctx.resolve_village(row, "unit_id")
        if row.ok("name", "sex", "birth_date", "id_number", "registered_on"):
            data = PersonData(
                name=values["name"],
                sex=values["sex"],
                birth_date=values["birth_date"],
                unit_id=values["unit_id"],
                id_number=values["id_number"],
                ethnicity=values["ethnicity"],
                hukou_type=values["hukou_type"],
                relation_to_head=values["relation_to_head"] or "",
                marital_status=values["marital_status"],
                phone=values["phone"],
                registered_on=values["registered_on"],
            )
            later = bool(values["household_number"])
            for problem in person_problems(data, household=None, household_later=later):
                ctx.error(row, self.FACTS.get(problem.field, problem.field), problem.message)
            values["person"] = data
        elif values["id_number"] and row.ok("id_number"):
            check_id_number(row, ctx, "id_number")

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        report_duplicates(rows, ctx, "id_number", "身份证号与第 {first} 行重复")
        holders = id_number_holders(r["id_number"] for r in rows if r.ok("id_number"))
        for row in rows:
            report_taken_id(row, ctx, "id_number", holders, f"身份证号{row['id_number']}已登记")
        self._resolve_households(rows, ctx)

    def _resolve_households(self, rows: list[Row], ctx: ImportContext) -> None:
        existing = households_by_number(
            (r["household_number"] for r in rows if r["household_number"]), lock=True
        )
        new: dict[str, tuple[str, int]] = {}  # number -> (village, first row)
        heads: dict[str, int] = {}
        for row in rows:
            number, unit = row["household_number"], row["unit_id"]
            if not number or not unit or not row.ok("unit_id", "household_number"):
                continue
            is_head = row["relation_to_head"] == Relation.HEAD
            if number in existing:
                household = existing[number]
                if household["unit_id"] != unit:
                    taken = taken_number_error(
                        ctx.actor,
                        kind="household_number",
                        number=number,
                        holder_unit_id=household["unit_id"],
                        field="household_number",
                        message=f"户号{number}已存在，且不属于该村(居)",
                    )
                    report_problems(row, ctx, [taken], {})
                elif "person" in row.values:
                    # The rules of joining a household: the service's own.
                    data = row["person"]
                    data.household_id = household["pk"]
                    for problem in household_problems(data, household):
                        field = self.FACTS.get(problem.field, problem.field)
                        ctx.error(row, field, problem.message)
            else:
                first_unit, first_row = new.setdefault(number, (unit, row.number))
                if first_unit != unit:
                    ctx.error(
                        row,
                        "household_number",
                        f"同一户的成员应属于同一村(居)，与第 {first_row} 行不同",
                    )
            if is_head:
                first_head = heads.setdefault(number, row.number)
                if first_head != row.number:
                    ctx.error(row, "relation_to_head", f"户号{number}在第 {first_head} 行已有户主")
        ctx.state["households"] = {n: h["pk"] for n, h in existing.items()}
        ctx.state["new_households"] = {n: unit for n, (unit, _) in new.items()}

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        # The services' writers: households made by number, then the people with their
        # households' heads and audit rows (people_write, as person_create uses it).
        actor = ctx.actor
        new = ctx.state["new_households"]
        household_ids: dict[str, int] = dict(ctx.state["households"])
        household_ids.update(households_write(actor=actor, households=new, detail=VIA))
        people = []
        for row in rows:
            data = row["person"]
            number = row["household_number"]
            data.household_id = household_ids[number] if number else None
            people.append(data)
        people_write(actor=actor, people=people, detail=VIA)
        return {"people": len(people), "households": len(new)}
