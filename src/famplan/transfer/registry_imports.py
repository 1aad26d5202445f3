"""The registry's import record types: persons, births, deaths, marriages, migrations.

The rules are the services' rules (famplan.registry.services), applied to a whole file
at once: person facts through check_person_facts, event rules with the same messages.
Only impossible data is refused; odd but possible values are for the quality rules.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Q

from famplan.audit.services import audit_log_many, audit_log_rows
from famplan.common import dates
from famplan.common.dates import age_on
from famplan.registry.models import (
    ON_REGISTER,
    Birth,
    BirthPlace,
    Death,
    Direction,
    Ethnicity,
    Household,
    HukouType,
    MaritalStatus,
    Marriage,
    MarriageEnd,
    MarriageKind,
    Migration,
    Person,
    PersonStatus,
    Relation,
    Sex,
)
from famplan.registry.services import PersonData
from famplan.registry.services.events import LEGAL_MARRIAGE_AGE
from famplan.transfer.imports.bulk import (
    bulk_set,
    check_facts,
    check_id_number,
    insert_objects,
    insert_records,
    people_in_scope,
    registered_id_numbers,
)
from famplan.transfer.imports.columns import Column, choice, id_number, integer, phone, text
from famplan.transfer.imports.columns import date as date_cell
from famplan.transfer.imports.framework import (
    ImportContext,
    RecordType,
    Row,
    chunked,
    report_duplicates,
)

VIA = {"via": "import"}
STATUS_LABEL = dict(PersonStatus.choices)
NOT_IN_SCOPE = "在人口库中不存在或不在您的管辖范围内"

SEX = choice(Sex.choices, {"男性": Sex.MALE, "女性": Sex.FEMALE})
VILLAGE_NOTE = "12位村(居)代码，或管辖范围内唯一的村(居)名称；见“村(居)代码”工作表"


def _id_column(
    header: str, field: str, required: bool = False, note: str = "", check: bool = True
) -> Column:
    note = note or "18位公民身份号码，末位可为X；请将该列设为文本格式"
    clean = id_number(check=check)
    return Column(header, field, required, clean, note, width=22, as_text=True, empty=None)


def _on_register(row: Row, ctx: ImportContext, field: str, person: dict, day: date) -> bool:
    # The services' _require_on_register, with its messages.
    if person["status"] not in ON_REGISTER:
        label = STATUS_LABEL[person["status"]]
        ctx.error(row, field, f"{person['name']}已{label}，不能登记此事件")
        return False
    if day < person["birth_date"]:
        ctx.error(row, field, f"日期早于{person['name']}的出生日期")
        return False
    return True


def _person(actor: Any, today: date, **values: Any) -> Person:
    values.setdefault("registered_on", today)
    return Person(entered_by=actor, status=PersonStatus.ACTIVE, **values)


def _audit(actor: Any, action: str, targets: list) -> None:
    audit_log_many(actor=actor, action=action, targets=targets, detail=VIA, org_unit_attr="unit_id")


# --- persons -------------------------------------------------------------------------


class PersonImport(RecordType):
    key = "persons"
    label = "人员"
    description = "人口基础信息；填写户号时按户号建户或加入已有的户。"
    columns = [
        Column("姓名", "name", True, text(50), sample="张秀英"),
        _id_column(
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


# --- births --------------------------------------------------------------------------


class BirthImport(RecordType):
    key = "births"
    label = "出生"
    description = "新生儿随母亲入户（母亲须在人口库中），孩次按夫妇已登记子女的最高孩次自动接续。"
    columns = [
        Column("婴儿姓名", "child_name", True, text(50), sample="王小明"),
        Column("性别", "sex", True, SEX, sample="男", width=8),
        Column("出生日期", "born_on", True, date_cell(), "不能晚于今天", width=12),
        _id_column("母亲身份证号", "mother_id", True, "母亲须已在人口库中且在您的管辖范围内"),
        _id_column("父亲身份证号", "father_id", False, "可留空；填写时父亲须已在人口库中"),
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
        _id_column("婴儿身份证号", "child_id", False, "已办理身份证号的可填写"),
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
                    _on_register(row, ctx, "mother_id", mother, row["born_on"])
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
                _person(
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
        _audit(actor, "registry.person.created", children)
        _audit(actor, "registry.birth.recorded", births)
        return {"births": len(births)}


# --- deaths --------------------------------------------------------------------------


class DeathImport(RecordType):
    key = "deaths"
    label = "死亡"
    description = "死者须在人口库中；登记后注销户籍状态，其在婚配偶改为丧偶。"
    columns = [
        _id_column("身份证号", "id_number", True, "死者须已在人口库中且在您的管辖范围内"),
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
        _audit(actor, "registry.death.recorded", deaths)
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


# --- marriages -----------------------------------------------------------------------


class MarriageImport(RecordType):
    key = "marriages"
    label = "婚姻"
    description = "夫妻双方须在人口库中且无在婚记录；初婚/再婚按各自婚史自动判断。"
    columns = [
        _id_column("丈夫身份证号", "husband_id", True, "须已在人口库中且在您的管辖范围内"),
        _id_column("妻子身份证号", "wife_id", True, "须已在人口库中且在您的管辖范围内"),
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
                elif day is not None and _on_register(row, ctx, field, person, day):
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
        _audit(actor, "registry.marriage.recorded", marriages)
        return {"marriages": len(marriages)}


# --- migrations ----------------------------------------------------------------------


class MigrationImport(RecordType):
    key = "migrations"
    label = "流动人口"
    description = "流出：填身份证号，本人须在册；流入：填写本人信息，从流入日期起在所填村(居)登记。"
    columns = [
        Column("方向", "direction", True, choice(Direction.choices), sample="流出", width=8),
        _id_column("身份证号", "id_number", False, "流出必填；流入有则填写"),
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
            row.number: _person(
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
        _audit(actor, "registry.person.created", list(arrivals.values()))
        _audit(
            actor, "registry.migration.in", [m for m in migrations if m.direction == Direction.IN]
        )
        _audit(
            actor, "registry.migration.out", [m for m in migrations if m.direction == Direction.OUT]
        )
        return {"arrivals": len(arrivals), "departures": len(away)}


RECORD_TYPES: dict[str, RecordType] = {
    t.key: t
    for t in (PersonImport(), BirthImport(), DeathImport(), MarriageImport(), MigrationImport())
}


def record_type_for(key: str) -> RecordType:
    return RECORD_TYPES[key]


def template_samples(village_code: str) -> dict[str, Any]:
    """Sample values for a template row: a village of the user's, valid ID numbers."""
    from famplan.common.idnumbers import make_id_number

    area = village_code[:6] if len(village_code) >= 6 else "620422"
    woman, man = date(1990, 5, 17), date(1988, 11, 2)
    return {
        "unit_id": village_code,
        "id_number": make_id_number(area, woman, 12, "F"),
        "birth_date": woman,
        "registered_on": date(2020, 1, 1),
        "household_number": f"{village_code}0001",
        "born_on": date(2024, 3, 15),
        "mother_id": make_id_number(area, woman, 12, "F"),
        "father_id": make_id_number(area, man, 34, "M"),
        "husband_id": make_id_number(area, man, 34, "M"),
        "wife_id": make_id_number(area, woman, 12, "F"),
        "died_on": date(2024, 3, 15),
        "married_on": date(2015, 10, 1),
        "moved_on": date(2024, 3, 1),
    }
