"""The API's birth medical certificate number and father: in the body and the batch,
in the replay rule, the 409 of a matched birth that says otherwise, the schema."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from famplan.audit.models import AuditEntry
from famplan.common.dates import today
from famplan.deliveries.models import DeliveryRecord
from famplan.registry.models import Birth, Person
from famplan.registry.services import birth_record
from tests.api.test_deliveries_api import URL, post
from tests.deliveries.conftest import delivery
from tests.registry.factories import person

NUMBER = "Q620012345"
SHAPE = "出生医学证明编号应为字母加数字，通常为1位字母和9位数字，如Q620012345"


@pytest.fixture
def father(township_clerk) -> Person:
    return person(township_clerk, name="李强", sex="M", born=date(1992, 3, 4))


def full(mother, father, record_id="ZY0001", **overrides) -> dict:
    values = {"father_id_number": father.id_number, "medical_certificate_number": NUMBER}
    return delivery(mother, record_id, **(values | overrides))


def test_it_records_and_answers_the_number_and_stores_the_father(hospital, mother, father):
    response = post(hospital.token, full(mother, father, medical_certificate_number="q620012345"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["medical_certificate_number"] == NUMBER
    birth = Birth.objects.get(pk=body["birth_id"])
    assert (birth.medical_certificate_number, birth.father) == (NUMBER, father)
    record = DeliveryRecord.objects.get()
    assert (record.father, record.father_id_number, record.medical_certificate_number) == (
        father, father.id_number, NUMBER,
    )  # fmt: skip
    # Both are optional: null is taken as "not given".
    bare = delivery(mother, "ZY0002", multiple=True)
    bare |= {"father_id_number": None, "medical_certificate_number": None}
    bare = post(hospital.token, bare)
    assert bare.status_code == 200 and bare.json()["medical_certificate_number"] is None


def test_the_replay_rule_includes_both_fields(hospital, mother, father):
    first = post(hospital.token, full(mother, father))
    again = post(hospital.token, full(mother, father, medical_certificate_number="Q620-012345"))
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    for changed in (
        full(mother, father, medical_certificate_number="Q620054321"),
        delivery(mother, medical_certificate_number=NUMBER),
    ):
        response = post(hospital.token, changed)
        assert response.status_code == 409
        body = response.json()
        assert (body["code"], body["message"]) == ("conflict", "机构病案号已登记，内容不同")
        assert [e["field"] for e in body["errors"]] == ["record_id"]
    assert DeliveryRecord.objects.count() == 1


def test_matching_fills_the_village_s_birth_and_answers_matched(
    hospital, mother, father, township_clerk
):
    entered = birth_record(
        actor=township_clerk, mother=mother, father=None, child_name="李宝", sex="M",
        born_on=today() - timedelta(days=2), place_type="hospital",
    )  # fmt: skip
    response = post(hospital.token, full(mother, father))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["birth_id"], body["medical_certificate_number"]) == (
        "matched", entered.pk, NUMBER,
    )  # fmt: skip
    entered.refresh_from_db()
    assert entered.father == father
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == [
        "registry.birth.updated", "deliveries.delivery.recorded", "api.delivery.posted",
    ]  # fmt: skip


def test_a_matched_birth_with_another_number_or_father_is_a_409(
    hospital, mother, father, township_clerk
):
    other = person(township_clerk, name="张伟", sex="M", born=date(1991, 4, 4))
    birth_record(
        actor=township_clerk, mother=mother, father=other, child_name="李宝", sex="M",
        born_on=today() - timedelta(days=2), place_type="hospital",
        medical_certificate_number="Q620099999",
    )  # fmt: skip
    response = post(hospital.token, full(mother, father))
    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["message"]) == ("conflict", "与已登记的出生信息不一致")
    assert [e["field"] for e in body["errors"]] == ["medical_certificate_number"]
    assert "Q620099999" in body["errors"][0]["message"]
    father_only = post(
        hospital.token, delivery(mother, "ZY0002", father_id_number=father.id_number)
    )
    assert father_only.status_code == 409
    assert [e["field"] for e in father_only.json()["errors"]] == ["father_id_number"]
    assert not DeliveryRecord.objects.exists()
    assert AuditEntry.objects.filter(action="api.delivery.posted", result="failed").count() == 2


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"medical_certificate_number": "12345"}, SHAPE),
        ({"medical_certificate_number": 620012345}, SHAPE),
        ({"father_id_number": "620422199203041230"}, "父亲身份证号校验位错误"),
        ({"father_id_number": "STRANGER"}, "未找到父亲身份证号为{stranger}的人员"),
    ],
)  # fmt: skip
def test_it_refuses_a_bad_number_or_father_with_a_422(hospital, mother, overrides, message):
    from famplan.common.idnumbers import make_id_number

    stranger = make_id_number("620422", date(1990, 3, 3), 77, "M")
    if overrides.get("father_id_number") == "STRANGER":
        overrides = {"father_id_number": stranger}
    response = post(hospital.token, delivery(mother, **overrides))
    assert response.status_code == 422
    body = response.json()
    field = next(iter(overrides))
    assert body["errors"] == [{"field": field, "message": message.format(stranger=stranger)}]
    assert not Birth.objects.exists()


def test_it_refuses_a_number_another_birth_carries(hospital, mother, township_clerk):
    sister = person(township_clerk, name="王兰", sex="F", born=date(1990, 7, 7))
    birth_record(
        actor=township_clerk, mother=sister, father=None, child_name="王小", sex="F",
        born_on=today() - timedelta(days=9), place_type="home",
        medical_certificate_number=NUMBER,
    )  # fmt: skip
    response = post(hospital.token, delivery(mother, medical_certificate_number=NUMBER))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "medical_certificate_number", "message": f"出生医学证明编号{NUMBER}已登记"}
    ]


def test_the_batch_carries_both_and_refuses_one_number_twice(
    hospital, mother, father, township_clerk
):
    sister = person(township_clerk, name="王兰", sex="F", born=date(1990, 7, 7))
    items = [full(mother, father, "B1"), delivery(sister, "B2", medical_certificate_number=NUMBER)]
    refused = post(hospital.token, {"deliveries": items}, f"{URL}/batch")
    assert refused.status_code == 422
    results = refused.json()["results"]
    assert [r["status"] for r in results] == ["unchecked", "invalid"]
    assert results[1]["errors"] == [
        {"field": "medical_certificate_number", "message": "出生医学证明编号与第1条重复"}
    ]
    items[1]["medical_certificate_number"] = "Q620054321"
    done = post(hospital.token, {"deliveries": items}, f"{URL}/batch")
    assert done.status_code == 200 and done.json()["counts"]["created"] == 2
    numbers = [r["delivery"]["medical_certificate_number"] for r in done.json()["results"]]
    assert numbers == [NUMBER, "Q620054321"]
    assert Birth.objects.get(medical_certificate_number=NUMBER).father == father
    again = post(hospital.token, {"deliveries": items}, f"{URL}/batch").json()
    assert again["counts"]["replayed"] == 2
    items[0]["father_id_number"] = None
    conflict = post(hospital.token, {"deliveries": items}, f"{URL}/batch").json()
    # The other content under B1 is a conflict; B2 is still the replay it was.
    assert [(r["status"], r["replayed"]) for r in conflict["results"]] == [
        ("conflict", False), ("created", True),
    ]  # fmt: skip
    assert (conflict["ok"], conflict["counts"]["conflict"]) == (False, 1)


def test_the_schema_describes_both_fields(county_client):
    schema = county_client.get("/api/openapi.json").json()
    fields = schema["components"]["schemas"]["DeliveryIn"]["properties"]
    assert "出生医学证明编号" in fields["medical_certificate_number"]["description"]
    assert "父亲" in fields["father_id_number"]["description"]
    required = schema["components"]["schemas"]["DeliveryIn"].get("required", [])
    assert "medical_certificate_number" not in required and "father_id_number" not in required
    out = schema["components"]["schemas"]["DeliveryOut"]["properties"]
    assert "medical_certificate_number" in out
