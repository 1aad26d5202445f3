"""Import of migrants (流动人口): departures of people on the register, arrivals as new people."""

from __future__ import annotations

from famplan.common import dates
from famplan.common.bulk import bulk_set, insert_objects
from famplan.registry.imports._shared import (
    NOT_IN_SCOPE,
    SEX,
    STATUS_LABEL,
    VILLAGE_NOTE,
    RegistryImport,
    audit_imported,
    check_facts,
    id_column,
    new_person,
    people_in_scope,
    registered_id_numbers,
)
from famplan.registry.models import (
    Direction,
    Ethnicity,
    HukouType,
    Migration,
    Person,
    PersonStatus,
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
class MigrationImport(RegistryImport):
    key = "migrations"
    label = "流动人口"
    description = "流出：填身份证号，本人须在册；流入：填写本人信息，从流入日期起在所填村(居)登记。"
    columns = [
        Column("方向", "direction", True, choice(Direction.choices), sample="流出", width=8),
        id_column("身份证号", "id_number", False, "流出必填；流入有则填写"),
        Column("姓名", "name", False, text(50), "流入必填"),
        Column("性别", "sex", False, SEX, "流入必填", width=8),
        Column("出生日期", "birth_date", False, date_cell(), "流入必填", width=12, empty=None),
        Column("民族", "ethnicity", False, choice(Ethnicity.choices), "流入填写", width=10),
        Column("户口性质", "hukou_type", False, choice(HukouType.choices), "流入填写"),
        Column("村(居)代码", "unit_id", False, text(50), "流入必填；" + VILLAGE_NOTE, 16, True),
        Column("流动日期", "moved_on", True, date_cell(), "流出或流入的日期", width=12),
        Column("流入地/流出地", "place", True, text(200), "流出填去向，流入填来处", "兰州市", 20),
        Column("工作单位", "employer", False, text(100), width=20),
        Column("联系电话", "contact_phone", False, phone(), as_text=True, sample="13800000000"),
    ]
    ARRIVAL_FIELDS = ("name", "sex", "birth_date", "unit_id")
    FACTS = {
        "name": "name",
        "id_number": "id_number",
        "sex": "sex",
        "birth_date": "birth_date",
        "registered_on": "moved_on",
    }

    def check(self, row: Row, ctx: ImportContext) -> None:
        values = row.values
        if values["direction"] == Direction.OUT and row.ok("id_number") and not values["id_number"]:
            ctx.error(row, "id_number", "流出人员须填写身份证号")
        if values["direction"] != Direction.IN:
            return
        for field in self.ARRIVAL_FIELDS:
            if values[field] in ("", None) and row.ok(field):
                ctx.error(row, field, "流入人员须填写此项")
        ctx.resolve_village(row, "unit_id")
        if row.ok(*self.ARRIVAL_FIELDS, "id_number", "moved_on") and values["moved_on"]:
            data = PersonData(
                name=values["name"],
                sex=values["sex"],
                birth_date=values["birth_date"],
                unit_id="",
                id_number=values["id_number"],
                registered_on=values["moved_on"],
            )
            check_facts(row, ctx, data, self.FACTS, registered_on="流入日期早于出生日期")

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        report_duplicates(rows, ctx, "id_number", "身份证号与第 {first} 行重复")
        leaving = [r for r in rows if r["direction"] == Direction.OUT and r.ok("id_number")]
        arriving = [r for r in rows if r["direction"] == Direction.IN and r.ok("id_number")]
        people = people_in_scope(ctx, (r["id_number"] for r in leaving))
        for row in leaving:
            if not row["id_number"]:
                continue
            person = people.get(row["id_number"])
            if person is None:
                ctx.error(row, "id_number", f"身份证号{NOT_IN_SCOPE}")
            elif person["status"] != PersonStatus.ACTIVE:
                label = STATUS_LABEL[person["status"]]
                ctx.error(row, "id_number", f"{person['name']}当前状态为{label}，不能登记流出")
        taken = registered_id_numbers(r["id_number"] for r in arriving)
        for row in arriving:
            if row["id_number"] in taken:
                ctx.error(row, "id_number", "此人已在人口库中，本县内迁移请办理居住地变更")
        ctx.state["people"] = people

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        actor, today, people = ctx.actor, dates.today(), ctx.state["people"]
        arrivals = {
            row.number: new_person(
                actor,
                today,
                **{f: row[f] for f in ("name", "sex", "birth_date", "id_number", "unit_id")},
                ethnicity=row["ethnicity"],
                hukou_type=row["hukou_type"],
                phone=row["contact_phone"],
                registered_on=row["moved_on"],
            )
            for row in rows
            if row["direction"] == Direction.IN
        }
        insert_objects(Person, list(arrivals.values()))
        migrations, away = [], []
        for row in rows:
            if row["direction"] == Direction.IN:
                person_id, unit_id = arrivals[row.number].pk, arrivals[row.number].unit_id
            else:
                person = people[row["id_number"]]
                person_id, unit_id = person["pk"], person["unit_id"]
                away.append((person_id, (PersonStatus.AWAY,)))
            migrations.append(
                Migration(
                    unit_id=unit_id,
                    entered_by=actor,
                    person_id=person_id,
                    direction=row["direction"],
                    moved_on=row["moved_on"],
                    place=row["place"],
                    employer=row["employer"],
                    contact_phone=row["contact_phone"],
                )
            )
        insert_objects(Migration, migrations)
        bulk_set(Person, ["status"], away)
        audit_imported(actor, "registry.person.created", list(arrivals.values()))
        audit_imported(
            actor, "registry.migration.in", [m for m in migrations if m.direction == Direction.IN]
        )
        audit_imported(
            actor, "registry.migration.out", [m for m in migrations if m.direction == Direction.OUT]
        )
        return {"arrivals": len(arrivals), "departures": len(away)}
