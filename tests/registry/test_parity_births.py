"""A birth entered on the form and the same birth imported from a file leave the same
records, refusals and side effects: both run the registry's birth_problems and
births_write (registry/services/births.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from famplan.common.idnumbers import make_id_number
from famplan.registry.models import Birth, Person
from famplan.registry.services import birth_record, death_record, household_create
from tests.registry.factories import person
from tests.registry.parity import attempt, form_outcome, import_outcome
from tests.transfer.test_imports import run

HEADERS = {
    "child_name": "婴儿姓名",
    "sex": "性别",
    "born_on": "出生日期",
    "mother_id_number": "母亲身份证号",
    "father_id_number": "父亲身份证号",
    "place_type": "出生地点",
    "facility": "助产机构",
    "weight_g": "出生体重(克)",
    "child_id_number": "婴儿身份证号",
    "medical_certificate_number": "出生医学证明编号",
    "multiple": "多胞胎",
}
SEX_LABEL = {"M": "男", "F": "女"}
PLACE_LABEL = {"hospital": "医院", "home": "家中", "other": "其他"}


def form_values(birth: dict) -> dict[str, str]:
    values = {k: ("" if v is None else str(v)) for k, v in birth.items() if k != "multiple"}
    if birth.get("multiple"):
        values["multiple"] = "on"
    return values


def import_rows(*births: dict) -> list[list]:
    header = list(HEADERS.values())
    rows = [header]
    for birth in births:
        cells = {
            **birth,
            "sex": SEX_LABEL[birth["sex"]],
            "place_type": PLACE_LABEL[birth["place_type"]],
            "multiple": "是" if birth.get("multiple") else "否",
        }
        rows.append([cells.get(field) or "" for field in HEADERS])
    return rows


def both(client, actor, birth: dict):
    """The outcome of the form and of the import for the same birth."""
    form = attempt(
        lambda: form_outcome(client, reverse("registry:birth_create"), form_values(birth), HEADERS)
    )
    imported = attempt(lambda: import_outcome(lambda: run(actor, "births", import_rows(birth))))
    return form, imported


@pytest.fixture
def family(township_clerk):
    husband = person(township_clerk, name="王强", sex="M", born=date(1988, 3, 1))
    wife = person(township_clerk, name="李芳", sex="F", born=date(1990, 6, 1))
    home = household_create(actor=township_clerk, unit_id=wife.unit_id, head=husband)
    Person.objects.filter(pk=wife.pk).update(household=home, relation_to_head="spouse")
    wife.refresh_from_db()
    return husband, wife


def a_birth(wife, husband=None, **overrides) -> dict:
    values = {
        "child_name": "王小宝",
        "sex": "M",
        "born_on": date(2024, 1, 2),
        "mother_id_number": wife.id_number,
        "father_id_number": husband.id_number if husband else None,
        "place_type": "hospital",
        "facility": "会宁县妇幼保健院",
        "weight_g": 3300,
        "child_id_number": None,
        "medical_certificate_number": "Q620012345",
        "multiple": False,
    }
    values.update(overrides)
    return values


def test_it_records_the_same_birth_child_and_audit_rows(clerk_client, township_clerk, family):
    husband, wife = family
    child_id = make_id_number("620422", date(2024, 1, 2), 55, "M")
    form, imported = both(
        clerk_client, township_clerk, a_birth(wife, husband, child_id_number=child_id)
    )
    assert not form.refusals and not imported.refusals
    assert form.state == imported.state
    (record,) = form.state["births"]
    assert record["child_id"] == "王小宝" and record["birth_order"] == 1
    assert record["medical_certificate_number"] == "Q620012345"
    child = next(p for p in form.state["people"] if p["name"] == "王小宝")
    assert child["household_id"] == wife.household.number and child["relation_to_head"] == "child"
    assert child["id_number"] == child_id
    actions = [a[0] for a in form.state["audit"]]
    assert actions == ["registry.birth.recorded"]


def test_it_renumbers_later_births_the_same_way(clerk_client, township_clerk, family):
    husband, wife = family
    for name, day in [("老大", date(2016, 1, 1)), ("老三", date(2022, 1, 1))]:
        birth_record(
            actor=township_clerk, mother=wife, father=husband, child_name=name, sex="F",
            born_on=day, place_type="hospital",
        )  # fmt: skip
    form, imported = both(
        clerk_client,
        township_clerk,
        a_birth(
            wife,
            husband,
            child_name="老二",
            born_on=date(2019, 5, 5),
            medical_certificate_number=None,
        ),
    )
    assert form.state == imported.state
    orders = {b["child_id"]: b["birth_order"] for b in form.state["births"]}
    assert orders == {"老大": 1, "老二": 2, "老三": 3}
    updated = [a for a in form.state["audit"] if a[0] == "registry.birth.updated"]
    assert updated == [
        ("registry.birth.updated", "registry.birth", "老三", wife.unit_id,
         {"birth_order": [2, 3], "cause": "earlier_birth_entered"}),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "setup, overrides, header, message",
    [
        (None, {"weight_g": 100}, "出生体重(克)", "出生体重应在300至7000克之间"),
        (None, {"medical_certificate_number": "620012345"}, "出生医学证明编号",
         "出生医学证明编号应为字母加数字，通常为1位字母和9位数字，如Q620012345"),
        ("certificate", {}, "出生医学证明编号", "出生医学证明编号Q620012345已登记"),
        ("deceased", {}, "母亲身份证号", "李芳已死亡，不能登记此事件"),
        (None, {"born_on": date(1989, 1, 1)}, "母亲身份证号", "日期早于李芳的出生日期"),
        (None, {"born_on": date(2003, 1, 1)}, "母亲身份证号",
         "母亲李芳生育时12岁，不在15至55岁之间，请核对母亲和婴儿的出生日期"),
        ("twin", {}, "多胞胎",
         "该母亲已登记同日（2024-01-02）出生的王大宝（男）疑似重复；如为双胞胎或多胞胎，请注明“多胞胎”"),
        (None, {"child_id_number": make_id_number("620422", date(2024, 1, 2), 9, "F")}, "性别",
         "性别与身份证号不一致（第17位奇数为男，偶数为女）"),
    ],
)  # fmt: skip
def test_it_refuses_the_same_way(
    clerk_client, township_clerk, family, setup, overrides, header, message
):
    husband, wife = family
    if setup == "certificate":
        birth_record(
            actor=township_clerk, mother=wife, father=husband, child_name="王先", sex="F",
            born_on=date(2020, 1, 1), place_type="hospital",
            medical_certificate_number="Q620012345",
        )  # fmt: skip
    elif setup == "deceased":
        death_record(actor=township_clerk, person=wife, died_on=date(2023, 1, 1))
    elif setup == "twin":
        birth_record(
            actor=township_clerk, mother=wife, father=husband, child_name="王大宝", sex="M",
            born_on=date(2024, 1, 2), place_type="hospital",
        )  # fmt: skip
    before = Birth.objects.count()
    form, imported = both(clerk_client, township_clerk, a_birth(wife, husband, **overrides))
    assert form.refusals == imported.refusals == {header: [message]}
    assert form.state == imported.state
    assert len(form.state["births"]) == before and form.state["audit"] == []


def test_it_records_a_twin_said_so_the_same_way(clerk_client, township_clerk, family):
    husband, wife = family
    birth_record(
        actor=township_clerk, mother=wife, father=husband, child_name="王大宝", sex="M",
        born_on=date(2024, 1, 2), place_type="hospital",
    )  # fmt: skip
    form, imported = both(clerk_client, township_clerk, a_birth(wife, husband, multiple=True))
    assert not form.refusals and not imported.refusals
    assert form.state == imported.state
    orders = {b["child_id"]: b["birth_order"] for b in form.state["births"]}
    assert orders == {"王大宝": 1, "王小宝": 2}
