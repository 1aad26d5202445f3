"""Import of births (出生): the child joins the register with the mother, orders continue."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from famplan.common import dates
from famplan.common.bulk import chunked, insert_objects
from famplan.registry.imports._shared import (
    NOT_IN_SCOPE,
    SEX,
    RegistryImport,
    audit_imported,
    check_facts,
    id_column,
    new_person,
    on_register,
    people_in_scope,
    registered_id_numbers,
)
from famplan.registry.models import (
    Birth,
    BirthPlace,
    MaritalStatus,
    Person,
    Relation,
    Sex,
)
from famplan.registry.services import PersonData
from famplan.transfer.imports.columns import Column, choice, integer, text
from famplan.transfer.imports.columns import date as date_cell
from famplan.transfer.imports.framework import (
    ImportContext,
    Row,
    import_type,
    report_duplicates,
)


@import_type
class BirthImport(RegistryImport):
    key = "births"
    label = "出生"
    description = "新生儿随母亲入户（母亲须在人口库中），孩次按夫妇已登记子女的最高孩次自动接续。"
    columns = [
        Column("婴儿姓名", "child_name", True, text(50), sample="王小明"),
        Column("性别", "sex", True, SEX, sample="男", width=8),
        Column("出生日期", "born_on", True, date_cell(), "不能晚于今天", width=12),
        id_column("母亲身份证号", "mother_id", True, "母亲须已在人口库中且在您的管辖范围内"),
        id_column("父亲身份证号", "father_id", False, "可留空；填写时父亲须已在人口库中"),
        Column("出生地点", "place_type", True, choice(BirthPlace.choices), sample="医院"),
        Column("助产机构", "facility", False, text(100), sample="会宁县人民医院", width=20),
        Column(
            "出生体重(克)",
            "weight_g",
            False,
            integer(300, 7000, "出生体重应在300至7000克之间"),
            sample=3200,
            empty=None,
        ),
        id_column("婴儿身份证号", "child_id", False, "已办理身份证号的可填写"),
    ]
    FACTS = {"name": "child_name", "id_number": "child_id", "sex": "sex", "birth_date": "born_on"}

    def check(self, row: Row, ctx: ImportContext) -> None:
        values = row.values
        if values["father_id"] and values["father_id"] == values["mother_id"]:
            ctx.error(row, "father_id", "父亲与母亲不能是同一人")
        if row.ok("child_name", "sex", "born_on", "child_id"):
            data = PersonData(
                name=values["child_name"],
                sex=values["sex"],
                birth_date=values["born_on"],
                unit_id="",
                id_number=values["child_id"],
                registered_on=values["born_on"],
            )
            check_facts(row, ctx, data, self.FACTS)

    def resolve(self, rows: list[Row], ctx: ImportContext) -> None:
        report_duplicates(rows, ctx, "child_id", "婴儿身份证号与第 {first} 行重复")
        taken = registered_id_numbers(r["child_id"] for r in rows if r.ok("child_id"))
        people = people_in_scope(
            ctx, [r["mother_id"] for r in rows] + [r["father_id"] for r in rows]
        )
        for row in rows:
            if row["child_id"] in taken:
                ctx.error(row, "child_id", f"身份证号{row['child_id']}已登记")
            mother = people.get(row["mother_id"]) if row.ok("mother_id") else None
            if row["mother_id"] and row.ok("mother_id"):
                if mother is None:
                    ctx.error(row, "mother_id", f"母亲身份证号{NOT_IN_SCOPE}")
                elif mother["sex"] != Sex.FEMALE:
                    ctx.error(row, "mother_id", "母亲的性别应为女")
                elif row["born_on"] and row.ok("born_on"):
                    on_register(row, ctx, "mother_id", mother, row["born_on"])
            if row["father_id"] and row.ok("father_id"):
                father = people.get(row["father_id"])
                if father is None:
                    ctx.error(row, "father_id", f"父亲身份证号{NOT_IN_SCOPE}")
                elif father["sex"] != Sex.MALE:
                    ctx.error(row, "father_id", "父亲的性别应为男")
        ctx.state["people"] = people

    @staticmethod
    def _birth_orders(rows: list[Row], people: dict[str, dict]) -> dict[int, int]:
        """The services' couple_birth_order for every row at once: 1 + the highest
        order among the couple's births (the mother's, where the father is unknown) on
        or before the day; existing births are read once, then the file's births are
        added in date order, so twins and later rows continue the orders."""
        mother_ids = sorted({people[r["mother_id"]]["pk"] for r in rows})
        history: dict[int, list[tuple[int | None, date, int]]] = defaultdict(list)
        for chunk in chunked(mother_ids):
            for mother, father, born, order in Birth.objects.filter(
                mother_id__in=chunk
            ).values_list("mother_id", "father_id", "born_on", "birth_order"):
                history[mother].append((father, born, order))
        orders: dict[int, int] = {}
        for row in sorted(rows, key=lambda r: (r["born_on"], r.number)):
            mother = people[row["mother_id"]]["pk"]
            father = people[row["father_id"]]["pk"] if row["father_id"] else None
            born = row["born_on"]
            top = max(
                (
                    other_order
                    for other_father, other_born, other_order in history[mother]
                    if other_born <= born and (father is None or other_father == father)
                ),
                default=0,
            )
            orders[row.number] = top + 1
            history[mother].append((father, born, top + 1))
        return orders

    def write(self, rows: list[Row], ctx: ImportContext) -> dict[str, int]:
        actor, today, people = ctx.actor, dates.today(), ctx.state["people"]
        children = []
        for row in rows:
            mother = people[row["mother_id"]]
            children.append(
                new_person(
                    actor,
                    today,
                    name=row["child_name"],
                    sex=row["sex"],
                    birth_date=row["born_on"],
                    unit_id=mother["unit_id"],
                    id_number=row["child_id"],
                    ethnicity=mother["ethnicity"],
                    hukou_type=mother["hukou_type"],
                    hukou_unit_id=mother["hukou_unit_id"],
                    household_id=mother["household_id"],
                    relation_to_head=Relation.CHILD if mother["household_id"] else "",
                    marital_status=MaritalStatus.UNMARRIED,
                    registered_on=row["born_on"],
                )
            )
        insert_objects(Person, children)
        orders = self._birth_orders(rows, people)
        births = [
            Birth(
                unit_id=child.unit_id,
                entered_by=actor,
                child=child,
                mother_id=people[row["mother_id"]]["pk"],
                father_id=people[row["father_id"]]["pk"] if row["father_id"] else None,
                born_on=row["born_on"],
                sex=row["sex"],
                birth_order=orders[row.number],
                place_type=row["place_type"],
                facility=row["facility"],
                weight_g=row["weight_g"],
            )
            for row, child in zip(rows, children, strict=True)
        ]
        insert_objects(Birth, births)
        audit_imported(actor, "registry.person.created", children)
        audit_imported(actor, "registry.birth.recorded", births)
        return {"births": len(births)}
