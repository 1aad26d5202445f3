"""Importing life events: births, deaths, marriages and migrations, with the services'
rules applied to whole files (references by ID number, within the jurisdiction)."""

from __future__ import annotations

import datetime as dt

import pytest

from famplan.audit.models import AuditEntry
from famplan.registry.models import (
    Birth,
    Death,
    Direction,
    MaritalStatus,
    Marriage,
    MarriageKind,
    Migration,
    Person,
    PersonStatus,
    Relation,
)
from famplan.registry.services import birth_record, household_create, marriage_record
from tests.registry.factories import person
from tests.transfer.test_imports import errors_of, fail, new_id, run

BIRTH_HEADER = ["婴儿姓名", "性别", "出生日期", "母亲身份证号", "父亲身份证号", "出生地点",
                "助产机构", "出生体重(克)", "婴儿身份证号"]  # fmt: skip


@pytest.fixture
def couple(township_clerk):
    husband = person(township_clerk, name="王建国", sex="M", born=dt.date(1988, 1, 1))
    wife = person(township_clerk, name="李桂兰", sex="F", born=dt.date(1990, 3, 3))
    household = household_create(actor=township_clerk, unit_id=wife.unit_id, head=husband)
    Person.objects.filter(pk=wife.pk).update(household=household, relation_to_head="spouse")
    marriage_record(
        actor=township_clerk, husband=husband, wife=wife, married_on=dt.date(2014, 5, 1)
    )
    husband.refresh_from_db()
    wife.refresh_from_db()
    return husband, wife


# --- births ------------------------------------------------------------------------------


def test_it_imports_births_with_couple_birth_orders(township_clerk, couple):
    husband, wife = couple
    birth_record(
        actor=township_clerk, mother=wife, father=husband, child_name="老大", sex="F",
        born_on=dt.date(2016, 2, 1), place_type="hospital",
    )  # fmt: skip
    twin_day = dt.date(2020, 6, 1)
    rows = [
        BIRTH_HEADER,
        # Out of date order on purpose: orders follow the dates, then the rows.
        ["老四", "女", dt.date(2023, 1, 9), wife.id_number, husband.id_number, "家中", "",
         3000, ""],
        ["老二", "男", twin_day, wife.id_number, husband.id_number, "医院", "会宁县人民医院",
         3100, new_id(twin_day, "M")],
        ["老三", "女", twin_day, wife.id_number, husband.id_number, "医院", "会宁县人民医院",
         2900, ""],
    ]  # fmt: skip

    assert run(township_clerk, "births", rows).counts == {"births": 3}

    orders = dict(Birth.objects.values_list("child__name", "birth_order"))
    assert orders == {"老大": 1, "老二": 2, "老三": 3, "老四": 4}
    second = Birth.objects.select_related("child").get(child__name="老二")
    assert second.mother_id == wife.pk and second.father_id == husband.pk
    assert second.weight_g == 3100 and second.facility == "会宁县人民医院"
    child = second.child
    assert child.unit_id == wife.unit_id and child.household_id == wife.household_id
    assert child.relation_to_head == Relation.CHILD
    assert child.registered_on == twin_day and child.marital_status == MaritalStatus.UNMARRIED
    assert child.id_number == rows[2][8]
    assert AuditEntry.objects.filter(action="registry.birth.recorded").count() == 4
    created = AuditEntry.objects.filter(action="registry.person.created", detail={"via": "import"})
    assert sorted(created.values_list("target_label", flat=True)) == ["老三", "老二", "老四"]


def test_it_continues_birth_orders_carried_in_from_the_old_systems(township_clerk, couple):
    # The old systems' birth row says 2: the first child left and has no row here.
    husband, wife = couple
    older = person(township_clerk, name="老二", sex="M", born=dt.date(2017, 4, 4))
    Birth.objects.create(
        unit_id=wife.unit_id, entered_by=township_clerk, child=older, mother=wife,
        father=husband, born_on=dt.date(2017, 4, 4), sex="M", birth_order=2, place_type="home",
    )  # fmt: skip
    rows = [
        BIRTH_HEADER,
        ["双胞乙", "女", dt.date(2022, 2, 2), wife.id_number, husband.id_number, "医院", "",
         "", ""],
        ["无父", "男", dt.date(2024, 8, 8), wife.id_number, "", "医院", "", "", ""],
        ["双胞甲", "男", dt.date(2022, 2, 2), wife.id_number, husband.id_number, "医院", "",
         "", ""],
    ]  # fmt: skip

    assert run(township_clerk, "births", rows).counts == {"births": 3}

    orders = dict(Birth.objects.values_list("child__name", "birth_order"))
    # Twins by row within their day; the father-unknown birth counts all the mother's.
    assert orders == {"老二": 2, "双胞乙": 3, "双胞甲": 4, "无父": 5}


def test_it_reports_bad_birth_rows_and_writes_none(township_clerk, other_clerk, couple):
    husband, wife = couple
    other_mother = person(other_clerk, name="外镇母亲", sex="F", unit="620422101201")
    day = dt.date(2021, 3, 3)
    good = ["好", "男", day, wife.id_number, "", "医院", "", "", ""]
    rows = [
        BIRTH_HEADER,
        good,
        ["甲", "男", day, husband.id_number, "", "医院", "", "", ""],
        ["乙", "男", day, wife.id_number, wife.id_number, "医院", "", "", ""],
        ["丙", "男", day, other_mother.id_number, "", "医院", "", "", ""],
        ["丁", "男", day, wife.id_number, "", "飞机上", "", 200, ""],
        ["戊", "男", dt.date(1980, 1, 1), wife.id_number, "", "医院", "", "", ""],
        ["己", "男", day, wife.id_number, "", "医院", "", "", new_id(day, "F")],
    ]
    failure = fail(township_clerk, "births", rows)
    assert errors_of(failure) == {
        (3, "母亲身份证号", "母亲的性别应为女"),
        (4, "父亲身份证号", "父亲与母亲不能是同一人"),
        (5, "母亲身份证号", "母亲身份证号在人口库中不存在或不在您的管辖范围内"),
        (6, "出生地点", "应为以下之一：医院、家中、其他"),
        (6, "出生体重(克)", "出生体重应在300至7000克之间"),
        (7, "母亲身份证号", "日期早于李桂兰的出生日期"),
        (8, "性别", "性别与身份证号不一致（第17位奇数为男，偶数为女）"),
    }
    assert Birth.objects.count() == 0


# --- deaths ------------------------------------------------------------------------------


DEATH_HEADER = ["身份证号", "死亡日期", "死亡原因", "死亡地点"]


def test_it_imports_deaths_and_widows_the_spouse(township_clerk, couple):
    husband, wife = couple
    version_before = husband.version
    single = person(township_clerk, name="独居老人", sex="M", born=dt.date(1940, 1, 1))
    rows = [
        DEATH_HEADER,
        [husband.id_number, "2024-02-03", "疾病", "家中"],
        [single.id_number, dt.date(2024, 3, 1), "", ""],
    ]
    assert run(township_clerk, "deaths", rows).counts == {"deaths": 2, "marriages_ended": 1}
    husband.refresh_from_db()
    wife.refresh_from_db()
    assert husband.status == PersonStatus.DECEASED and husband.left_on == dt.date(2024, 2, 3)
    assert husband.version == version_before + 1
    assert wife.marital_status == MaritalStatus.WIDOWED and wife.status == PersonStatus.ACTIVE
    marriage = Marriage.objects.get(husband=husband)
    assert marriage.ended_on == dt.date(2024, 2, 3) and marriage.end_cause == "death"
    assert Death.objects.get(person=husband).cause == "疾病"
    assert AuditEntry.objects.filter(action="registry.death.recorded").count() == 2


def test_it_reports_bad_death_rows(township_clerk, couple):
    husband, wife = couple
    stranger = new_id(dt.date(1950, 1, 1), "M")
    rows = [
        DEATH_HEADER,
        [husband.id_number, "2024-02-03", "", ""],
        [husband.id_number, "2024-02-04", "", ""],
        [wife.id_number, "1989-01-01", "", ""],
        [stranger, "2024-01-01", "", ""],
    ]
    assert errors_of(fail(township_clerk, "deaths", rows)) == {
        (3, "身份证号", "同一人的死亡在第 2 行已填写"),
        (4, "死亡日期", "死亡日期早于出生日期"),
        (5, "身份证号", "身份证号在人口库中不存在或不在您的管辖范围内"),
    }
    run(township_clerk, "deaths", [DEATH_HEADER, [husband.id_number, "2024-02-03", "", ""]])
    again = fail(township_clerk, "deaths", [DEATH_HEADER, [husband.id_number, "2024-02-03"]])
    assert errors_of(again) == {(2, "身份证号", "王建国的死亡已登记")}


# --- marriages ---------------------------------------------------------------------------


MARRIAGE_HEADER = ["丈夫身份证号", "妻子身份证号", "结婚日期"]


def test_it_imports_marriages_first_and_re(township_clerk, couple):
    husband, wife = couple
    from famplan.registry.services import divorce_record

    divorce_record(
        actor=township_clerk,
        marriage=Marriage.objects.get(wife=wife),
        divorced_on=dt.date(2019, 1, 1),
    )
    groom = person(township_clerk, name="新郎", sex="M", born=dt.date(1995, 1, 1))
    bride = person(township_clerk, name="新娘", sex="F", born=dt.date(1996, 1, 1))
    other_bride = person(township_clerk, name="二婚新娘", sex="F", born=dt.date(1993, 1, 1))
    rows = [
        MARRIAGE_HEADER,
        [groom.id_number, bride.id_number, "2023-10-01"],
        [husband.id_number, other_bride.id_number, "2023-12-12"],
    ]
    assert run(township_clerk, "marriages", rows).counts == {"marriages": 2}
    first = Marriage.objects.get(husband=groom)
    assert first.kind == MarriageKind.FIRST and first.unit_id == bride.unit_id
    assert Marriage.objects.get(wife=other_bride).kind == MarriageKind.RE
    statuses = dict(Person.objects.values_list("name", "marital_status"))
    assert statuses["新郎"] == statuses["新娘"] == MaritalStatus.FIRST_MARRIED
    assert statuses["王建国"] == MaritalStatus.REMARRIED
    assert statuses["二婚新娘"] == MaritalStatus.FIRST_MARRIED
    assert AuditEntry.objects.filter(action="registry.marriage.recorded").count() == 2 + 1


def test_it_reports_bad_marriage_rows(township_clerk, couple):
    husband, wife = couple
    young = person(township_clerk, name="少年", sex="M", born=dt.date(2005, 1, 1))
    bride = person(township_clerk, name="新娘", sex="F", born=dt.date(1996, 1, 1))
    rows = [
        MARRIAGE_HEADER,
        [husband.id_number, bride.id_number, "2023-10-01"],
        [young.id_number, bride.id_number, "2023-10-01"],
        [bride.id_number, wife.id_number, "2023-10-01"],
    ]
    assert errors_of(fail(township_clerk, "marriages", rows)) == {
        (2, "丈夫身份证号", "王建国已有在婚记录，须先登记离婚或丧偶"),
        (3, "妻子身份证号", "同一人在第 2 行已有结婚记录"),
        (3, "丈夫身份证号", "少年结婚时未满法定婚龄22岁"),
        (4, "丈夫身份证号", "丈夫的性别应为男"),
        (4, "妻子身份证号", "李桂兰已有在婚记录，须先登记离婚或丧偶"),
    }
    assert Marriage.objects.count() == 1


# --- migrations --------------------------------------------------------------------------


MIGRATION_HEADER = ["方向", "身份证号", "姓名", "性别", "出生日期", "民族", "户口性质",
                    "村(居)代码", "流动日期", "流入地/流出地", "工作单位", "联系电话"]  # fmt: skip


def test_it_imports_migrations_out_and_in(township_clerk, couple):
    husband, _ = couple
    born = dt.date(1994, 4, 4)
    newcomer_id = new_id(born, "F")
    rows = [
        MIGRATION_HEADER,
        ["流出", husband.id_number, "", "", "", "", "", "", "2024-03-01", "兰州市", "某工地", ""],
        ["流入", newcomer_id, "周九", "女", born, "回族", "非农业", "南嘴村", "2024-04-01",
         "定西市", "", "13900000000"],
    ]  # fmt: skip
    assert run(township_clerk, "migrations", rows).counts == {"arrivals": 1, "departures": 1}
    husband.refresh_from_db()
    assert husband.status == PersonStatus.AWAY
    out = Migration.objects.get(direction=Direction.OUT)
    assert out.person_id == husband.pk and out.place == "兰州市" and out.employer == "某工地"
    arrival = Migration.objects.select_related("person").get(direction=Direction.IN)
    newcomer = arrival.person
    assert newcomer.id_number == newcomer_id and newcomer.unit_id == "620422100201"
    assert newcomer.registered_on == dt.date(2024, 4, 1) and newcomer.ethnicity == "回族"
    assert arrival.contact_phone == "13900000000"
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("registry.migration.out") == 1
    assert actions.count("registry.migration.in") == 1


def test_it_reports_bad_migration_rows(township_clerk, couple):
    husband, wife = couple
    born = dt.date(1994, 4, 4)
    rows = [
        MIGRATION_HEADER,
        ["流出", "", "", "", "", "", "", "", "2024-03-01", "兰州市", "", ""],
        ["流入", wife.id_number, "李桂兰", "女", wife.birth_date, "", "", "南嘴村",
         "2024-03-01", "定西市", "", ""],
        ["流入", "", "", "女", born, "", "", "南嘴村", "2024-03-01", "定西市", "", ""],
        ["流入", new_id(born, "F"), "吴十", "女", born, "", "", "南嘴村", "1990-01-01",
         "定西市", "", ""],
        ["流出", husband.id_number, "", "", "", "", "", "", "2024-03-01", "", "", "电话"],
        ["出国", husband.id_number, "", "", "", "", "", "", "2024-03-01", "x", "", ""],
    ]  # fmt: skip
    assert errors_of(fail(township_clerk, "migrations", rows)) == {
        (2, "身份证号", "流出人员须填写身份证号"),
        (3, "身份证号", "此人已在人口库中，本县内迁移请办理居住地变更"),
        (4, "姓名", "流入人员须填写此项"),
        (5, "流动日期", "流入日期早于出生日期"),
        (6, "流入地/流出地", "必填项不能为空"),
        (6, "联系电话", "电话号码格式不正确"),
        (7, "方向", "应为以下之一：流入、流出"),
        (7, "身份证号", "身份证号与第 6 行重复"),
    }
    assert Migration.objects.count() == 0
