"""Import of migrants (流动人口): departures of people on the register, arrivals as new people.
The rules and side effects are the migration services' own (check_migration_out/_in,
migrations_out_write/_in_write in registry/services/migrations.py), over the whole file."""

from __future__ import annotations

from famplan.registry.imports._shared import (
    NOT_IN_SCOPE,
    SEX,
    VIA,
    VILLAGE_NOTE,
    RegistryImport,
    id_column,
    people_in_scope,
    report_problems,
)
from famplan.registry.models import (
    Direction,
    Ethnicity,
    HukouType,
)
from famplan.registry.services import PersonData
from famplan.registry.services.migrations import (
    MigrationInEntry,
    MigrationOutEntry,
    check_migration_in,
    check_migration_out,
    id_number_holders,
    migrations_in_write,
    migrations_out_write,
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
class MigrationImport(RegistryImport):
    key = "migrations"
    label = "流动人口"
    description = "流出：填身份证号，本人须在册；流入：填写本人信息，从流入日期起在所填村(居)登记。"
    columns = [
        Column("方向", "direction", True, choice(Direction.choices), sample="流出", width=8),
        id_column("身份证号", "id_number", False, "流出必填；流入有则填写"),
        Column("姓名", "name", False, text(50), "流入必填"),
        Column("性别", "sex", False, SEX, "流入必填", width=8),
        Column(
            "出生日期", "birth_date", False, date_cell(not_future=False), "流入必填", 12, empty=None
        ),
        Column("民族", "ethnicity", False, choice(Ethnicity.choices), "流入填写", width=10),
        Column("户口性质", "hukou_type", False, choice(HukouType.choices), "流入填写"),
        Column("村(居)代码", "unit_id", False, text(50), "流入必填；" + VILLAGE_NOTE, 16, True),
        Column("流动日期", "moved_on", True, date_cell(not_future=False), "流出或流入的日期", 12),
        # Not required as a cell: the services' own check says which place is missing.
        Column(
            "流入地/流出地", "place", False, text(200), "必填；流出填去向，流入填来处", "兰州市", 20
        ),
        Column("工作单位", "employer", False, text(100), width=20),
        Column("联系电话", "contact_phone", False, phone(), as_text=True, sample="13800000000"),
    ]
    ARRIVAL_FIELDS = ("name", "sex", "birth_date", "unit_id")

    # The services' field names -> this file's columns, where they differ.
    FIELDS = {"person": "id_number", "registered_on": "moved_on"}

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

    @staticmethod
    def _departure(row: Row, person: dict) -> MigrationOutEntry:
        return MigrationOutEntry(
            person, row["moved_on"], row["place"], row["employer"], row["contact_phone"]
        )

    @staticmethod
    def _arrival(row: Row) -> MigrationInEntry:
        data = PersonData(
            **{f: row[f] for f in ("name", "sex", "birth_date", "id_number", "unit_id")},
            ethnicity=row["ethnicity"],
            hukou_type=row["hukou_type"],
            # The file's one phone column is the newcomer's own number too.
            phone=row["contact_phone"],
        )
        return MigrationInEntry(
            data, row["moved_on"], row["place"], row["employer"], row["contact_phone"]
        )

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        report_duplicates(rows, ctx, "id_number", "身份证号与第 {first} 行重复")
        leaving = [r for r in rows if r["direction"] == Direction.OUT and r.ok("id_number")]
        arriving = [
            r
            for r in rows
            if r["direction"] == Direction.IN
            and r.ok(*self.ARRIVAL_FIELDS, "id_number", "moved_on", "place")
        ]
        people = people_in_scope(ctx, (r["id_number"] for r in leaving))
        for row in leaving:
            if not row["id_number"]:
                continue
            person = people.get(row["id_number"])
            if person is None:
                ctx.error(row, "id_number", f"身份证号{NOT_IN_SCOPE}")
            elif row.ok("moved_on", "place"):
                problems = check_migration_out(self._departure(row, person))
                report_problems(row, ctx, problems, self.FIELDS)
        holders = id_number_holders(r["id_number"] for r in arriving)
        arrivals = {}
        for row in arriving:
            entry = arrivals[row.number] = self._arrival(row)
            problems = check_migration_in(ctx.actor, entry, holders.get(row["id_number"]))
            report_problems(row, ctx, problems, self.FIELDS)
        ctx.state.update(people=people, arrivals=arrivals)

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        people, arrivals = ctx.state["people"], ctx.state["arrivals"]
        departures = [
            self._departure(row, people[row["id_number"]])
            for row in rows
            if row["direction"] == Direction.OUT
        ]
        migrations_out_write(actor=ctx.actor, entries=departures, detail=VIA)
        migrations_in_write(actor=ctx.actor, entries=list(arrivals.values()), detail=VIA)
        return {"arrivals": len(arrivals), "departures": len(departures)}
