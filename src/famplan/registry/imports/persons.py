"""Import of people (人员): one row a person, households made or joined by number."""

from __future__ import annotations

from datetime import date

from famplan.audit.services import audit_log_rows
from famplan.common import dates
from famplan.common.bulk import bulk_set, chunked, insert_records
from famplan.registry.imports._shared import (
    SEX,
    VIA,
    VILLAGE_NOTE,
    RegistryImport,
    check_facts,
    check_id_number,
    id_column,
    registered_id_numbers,
)
from famplan.registry.models import (
    Ethnicity,
    Household,
    HukouType,
    MaritalStatus,
    Person,
    PersonStatus,
    Relation,
)
from famplan.registry.services import PersonData
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
    FACTS = {
        "name": "name",
        "id_number": "id_number",
        "sex": "sex",
        "birth_date": "birth_date",
        "registered_on": "registered_on",
    }

    def check(self, row: Row, ctx: ImportContext) -> None:
        values = row.values
        ctx.resolve_village(row, "unit_id")
        if values["relation_to_head"] and not values["household_number"]:
            ctx.error(row, "relation_to_head", "填写与户主关系时须同时填写户号")
        if row.ok("name", "sex", "birth_date", "id_number", "registered_on"):
            data = PersonData(
                name=values["name"],
                sex=values["sex"],
                birth_date=values["birth_date"],
                unit_id="",
                id_number=values["id_number"],
                registered_on=values["registered_on"],
            )
            check_facts(row, ctx, data, self.FACTS)
        elif values["id_number"] and row.ok("id_number"):
            check_id_number(row, ctx, "id_number")

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        report_duplicates(rows, ctx, "id_number", "身份证号与第 {first} 行重复")
        taken = registered_id_numbers(r["id_number"] for r in rows if r.ok("id_number"))
        for row in rows:
            if row["id_number"] in taken:
                ctx.error(row, "id_number", f"身份证号{row['id_number']}已登记")
        self._resolve_households(rows, ctx)

    def _resolve_households(self, rows: list[Row], ctx: ImportContext) -> None:
        numbers = sorted({r["household_number"] for r in rows if r["household_number"]})
        existing: dict[str, tuple[int, str, int | None, date | None]] = {}
        for chunk in chunked(numbers):
            for number, *rest in Household.objects.filter(number__in=chunk).values_list(
                "number", "pk", "unit_id", "head_id", "dissolved_on"
            ):
                existing[number] = tuple(rest)
        new: dict[str, tuple[str, int]] = {}  # number -> (village, first row)
        heads: dict[str, int] = {}
        for row in rows:
            number, unit = row["household_number"], row["unit_id"]
            if not number or not unit or not row.ok("unit_id", "household_number"):
                continue
            is_head = row["relation_to_head"] == Relation.HEAD
            if number in existing:
                _, household_unit, head_id, dissolved_on = existing[number]
                if household_unit != unit:
                    ctx.error(row, "household_number", f"户号{number}已存在，且不属于该村(居)")
                elif dissolved_on is not None:
                    ctx.error(row, "household_number", f"户号{number}已撤销")
                elif is_head and head_id is not None:
                    ctx.error(row, "relation_to_head", f"户号{number}已有户主")
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
        ctx.state["households"] = {n: v[0] for n, v in existing.items()}
        ctx.state["new_households"] = new

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        # Plain dicts rather than model instances: for 100,000 people, building
        # instances alone took longer than the whole insert.
        actor, today = ctx.actor, dates.today()
        household_ids: dict[str, int] = dict(ctx.state["households"])
        households = [
            {"unit_id": unit, "number": number, "entered_by_id": actor.pk}
            for number, (unit, _) in ctx.state["new_households"].items()
        ]
        insert_records(Household, households)
        household_ids.update((h["number"], h["id"]) for h in households)
        people = []
        for row in rows:
            record = dict(row.values)
            number = record.pop("household_number")
            record["household_id"] = household_ids.get(number) if number else None
            record["registered_on"] = record["registered_on"] or today
            record["entered_by_id"] = actor.pk
            record["status"] = PersonStatus.ACTIVE
            people.append(record)
        insert_records(Person, people)
        heads = [
            (p["household_id"], (p["id"],))
            for p in people
            if p["relation_to_head"] == Relation.HEAD and p["household_id"]
        ]
        bulk_set(Household, ["head"], heads)
        audit_log_rows(
            actor=actor,
            action="registry.household.created",
            target_type=Household._meta.label_lower,
            rows=((h["unit_id"], h["id"], f"户 {h['number']}") for h in households),
            detail=VIA,
        )
        audit_log_rows(
            actor=actor,
            action="registry.person.created",
            target_type=Person._meta.label_lower,
            rows=((p["unit_id"], p["id"], p["name"]) for p in people),
            detail=VIA,
        )
        return {"people": len(people), "households": len(households)}
