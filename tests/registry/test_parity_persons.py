"""A person entered on the form and the same person imported from a file leave the same
records, refusals and side effects: both run the registry's person_problems and
people_write (registry/services/people.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from famplan.common.idnumbers import make_id_number
from famplan.registry.services import household_create
from tests.registry.factories import person
from tests.registry.parity import attempt, form_outcome, import_outcome
from tests.transfer.test_imports import PERSON_HEADER, run

VILLAGE = "620422100001"
# The form's fields -> the import's columns.
HEADERS = {
    "name": "姓名",
    "id_number": "身份证号",
    "sex": "性别",
    "birth_date": "出生日期",
    "ethnicity": "民族",
    "hukou_type": "户口性质",
    "unit": "村(居)代码",
    "household_number": "户号",
    "relation_to_head": "与户主关系",
    "marital_status": "婚姻状况",
    "phone": "联系电话",
    "registered_on": "登记日期",
}
assert list(HEADERS.values()) == PERSON_HEADER


def a_person(**overrides) -> dict:
    born = date(1992, 4, 5)
    values = {
        "name": "赵敏",
        "id_number": make_id_number("620422", born, 77, "F"),
        "sex": "F",
        "birth_date": born,
        "ethnicity": "汉族",
        "hukou_type": "rural",
        "unit": VILLAGE,
        "household_number": "",
        "relation_to_head": "",
        "marital_status": "unmarried",
        "phone": "13900000000",
        "registered_on": date(2020, 1, 1),
    }
    values.update(overrides)
    return values


def both(client, actor, values: dict):
    form_values = {k: ("" if v is None else str(v)) for k, v in values.items()}
    rows = [PERSON_HEADER, [values[field] or "" for field in HEADERS]]
    form = attempt(
        lambda: form_outcome(client, reverse("registry:person_create"), form_values, HEADERS)
    )
    imported = attempt(lambda: import_outcome(lambda: run(actor, "persons", rows)))
    return form, imported


def test_it_records_the_same_person_and_audit_row(clerk_client, township_clerk):
    form, imported = both(clerk_client, township_clerk, a_person())
    assert not form.refusals and not imported.refusals
    assert form.state == imported.state
    (entered,) = [p for p in form.state["people"] if p["name"] == "赵敏"]
    assert entered["unit_id"] == VILLAGE and entered["registered_on"] == date(2020, 1, 1)
    assert form.state["audit"] == [
        ("registry.person.created", "registry.person", "赵敏", VILLAGE, {"no_id_number": False})
    ]


def test_it_records_a_person_without_an_id_number_the_same_way(clerk_client, township_clerk):
    form, imported = both(clerk_client, township_clerk, a_person(id_number=None))
    assert form.state == imported.state
    assert form.state["audit"][0][-1] == {"no_id_number": True}


def test_it_joins_a_household_and_makes_its_head_the_same_way(clerk_client, township_clerk):
    household = household_create(actor=township_clerk, unit_id=VILLAGE)
    form, imported = both(
        clerk_client,
        township_clerk,
        a_person(household_number=household.number, relation_to_head="head"),
    )
    assert not form.refusals and not imported.refusals
    assert form.state == imported.state
    (home,) = form.state["households"]
    # The form sets the household's head too now, as the import always did.
    assert home["head_id"] == "赵敏" and home["version"] == household.version + 1


@pytest.mark.parametrize(
    "setup, overrides, header, message",
    [
        ("headed", {"relation_to_head": "head"}, "与户主关系", "已有户主"),
        (None, {"relation_to_head": "spouse"}, "与户主关系", "填写与户主关系时须同时填写户号"),
        (None, {"birth_date": date(1992, 4, 6)}, "出生日期",
         "出生日期1992-04-06与身份证号中的1992-04-05不一致"),
        (None, {"sex": "M"}, "性别", "性别与身份证号不一致（第17位奇数为男，偶数为女）"),
        (None, {"registered_on": date(1991, 1, 1)}, "登记日期", "登记日期不能早于出生日期"),
        ("taken", {}, "身份证号", "已登记"),
    ],
)  # fmt: skip
def test_it_refuses_the_same_way(clerk_client, township_clerk, setup, overrides, header, message):
    if setup == "headed":
        head = person(township_clerk, name="户主", sex="M", born=date(1980, 1, 1))
        household = household_create(actor=township_clerk, unit_id=VILLAGE, head=head)
        overrides["household_number"] = household.number
        message = f"户号{household.number}{message}"
    if setup == "taken":
        taken = person(township_clerk, name="先到", sex="F", born=date(1992, 4, 5))
        overrides["id_number"] = taken.id_number
        message = f"身份证号{taken.id_number}{message}"
    form, imported = both(clerk_client, township_clerk, a_person(**overrides))
    assert form.refusals == imported.refusals == {header: [message]}
    assert form.state == imported.state
    assert form.state["audit"] == []
